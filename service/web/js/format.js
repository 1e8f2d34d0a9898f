// Amounts arrive as exact decimal strings; Intl formats the string itself
// (no float on the way) in the amount's own currency.
const formats = new Map();

function formatter(currency) {
  if (!formats.has(currency)) {
    formats.set(
      currency,
      new Intl.NumberFormat(navigator.language || "en-US", { style: "currency", currency }),
    );
  }
  return formats.get(currency);
}

export function money(m) {
  if (!m) return "—";
  try {
    return formatter(m.currencyCode).format(m.amount);
  } catch {
    return `${m.amount} ${m.currencyCode}`;
  }
}

export function isNegative(m) {
  return Boolean(m) && String(m.amount).trim().startsWith("-");
}

export function isZero(m) {
  return !m || /^-?0*(\.0*)?$/.test(String(m.amount).trim());
}

// Cents as a BigInt, for adding amounts exactly (cash = bank + undeposited).
export function cents(m) {
  const [whole, frac = ""] = String(m.amount).replace("-", "").split(".");
  const v = BigInt(whole || "0") * 100n + BigInt((frac + "00").slice(0, 2));
  return String(m.amount).startsWith("-") ? -v : v;
}

export function fromCents(v, currencyCode) {
  const neg = v < 0n;
  const a = neg ? -v : v;
  const amount = `${neg ? "-" : ""}${a / 100n}.${String(a % 100n).padStart(2, "0")}`;
  return { amount, currencyCode };
}

export function date(value) {
  if (!value) return "—";
  const d = new Date(value.length === 10 ? `${value}T00:00:00` : value);
  return d.toLocaleDateString(undefined, { year: "numeric", month: "short", day: "numeric" });
}

export function dateTime(value) {
  if (!value) return "—";
  return new Date(value).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

export function isoDate(d) {
  const p = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

export function words(constant) {
  if (!constant) return "";
  const s = String(constant).replace(/_/g, " ").toLowerCase();
  return s.charAt(0).toUpperCase() + s.slice(1);
}
