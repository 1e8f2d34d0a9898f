import { gql } from "../api.js";
import { barLineChart } from "../chart.js";
import { cents, fromCents, money } from "../format.js";
import { monthEnds, periodPicker, setHashParams } from "../period.js";
import { onBooksChange } from "../status.js";
import { clear, h, link, loading, notice } from "../ui.js";

const CASH = ["BANK", "UNDEPOSITED_FUNDS"];

function balance(lines, keys) {
  let total = 0n, currency = null;
  for (const l of lines) {
    if (keys.includes(l.accountKey)) {
      total += cents(l.amount);
      currency = l.amount.currencyCode;
    }
  }
  return { total, currency };
}

let unsubscribe = null;

export async function render(main, params) {
  const picker = periodPicker(params, (from, to, preset) => setHashParams("overview", { from, to, preset }));
  const body = h("div", { class: "overview-body" }, loading());
  clear(main, h("h1", {}, "Overview"), picker.box, body);
  const { from, to } = picker;
  const ends = monthEnds(from, to);
  const sheets = ends.map((d, i) => `m${i}: balanceSheet(asOf: "${d}") { lines { accountKey amount { amount currencyCode } } }`).join("\n");
  const data = await gql(
    `query($from: Date!, $to: Date!) {
      pl: profitAndLoss(from: $from, to: $to, columnsBy: MONTH) {
        netSales { amount currencyCode } grossProfit { amount currencyCode } netIncome { amount currencyCode }
        missingCostLines
        columns { key name netSales { amount currencyCode } grossProfit { amount currencyCode } netIncome { amount currencyCode } }
      }
      ${sheets}
      unpaid: orders(first: 1, filter: {tab: UNPAID}) { totalCount }
      needsData: orders(first: 1, filter: {tab: NEEDS_DATA}) { totalCount }
    }`,
    { from, to },
  );
  const last = data[`m${ends.length - 1}`].lines;
  const currency = data.pl.netSales.currencyCode;
  const cash = balance(last, CASH), ar = balance(last, ["AR"]), inv = balance(last, ["INVENTORY"]);
  const kpi = (label, m, href, hint) =>
    h("a", { class: "kpi", href, title: hint || "" }, h("span", { class: "label" }, label), h("span", { class: "value" }, money(m)));
  const drill = `#/statements?from=${from}&to=${to}`;
  const cards = h(
    "div",
    { class: "kpis", "aria-label": "Key figures" },
    kpi("Net sales", data.pl.netSales, drill),
    kpi("Gross profit", data.pl.grossProfit, drill),
    kpi("Net income", data.pl.netIncome, drill),
    kpi("Cash", fromCents(cash.total, currency), `#/statements?kind=bs&to=${to}`, "Bank, and undeposited funds: paid out by a processor, not yet in the bank"),
    kpi("Accounts receivable", fromCents(ar.total, currency), `#/orders?tab=UNPAID`),
    kpi("Inventory value", fromCents(inv.total, currency), `#/costs`),
  );
  // Every month of the period, with the months of no activity at zero.
  const byKey = new Map(data.pl.columns.map((c) => [c.key.slice(0, 7), c]));
  const zero = { amount: "0", currencyCode: currency };
  const months = ends.map((end) => byKey.get(end.slice(0, 7)) || { name: end.slice(0, 7), netSales: zero, grossProfit: zero, netIncome: zero });
  const num = (m) => Number(m.amount);
  const fmt = new Intl.NumberFormat(navigator.language || "en-US", { style: "currency", currency, notation: "compact" });
  const cashByMonth = ends.map((_, i) => Number(balance(data[`m${i}`].lines, CASH).total) / 100);
  const chart = months.length
    ? barLineChart({
        title: "Net sales, gross profit, net income and cash by month",
        labels: months.map((c) => new Date(`${c.name}-01T00:00:00`).toLocaleDateString(undefined, { month: "short", year: "2-digit" })),
        series: [
          { name: "Net sales", values: months.map((c) => num(c.netSales)) },
          { name: "Gross profit", values: months.map((c) => num(c.grossProfit)) },
          { name: "Net income", values: months.map((c) => num(c.netIncome)) },
          { name: "Cash", values: cashByMonth },
        ],
        format: (v) => fmt.format(v),
      })
    : notice("info", "No activity in this period.");
  const alerts = [];
  if (data.pl.missingCostLines) alerts.push(h("li", {}, link("#/costs", `${data.pl.missingCostLines} order line(s) in this period have no cost`), " — COGS posted at 0 until you give one."));
  if (data.unpaid.totalCount) alerts.push(h("li", {}, link("#/orders?tab=UNPAID", `${data.unpaid.totalCount} unpaid order(s)`), " — link a payment or close them."));
  if (data.needsData.totalCount) alerts.push(h("li", {}, link("#/orders?tab=NEEDS_DATA", `${data.needsData.totalCount} order(s) need data`)));
  clear(
    body,
    cards,
    h("section", { class: "card" }, h("h2", {}, "By month"), chart),
    alerts.length ? h("section", { class: "card" }, h("h2", {}, "To do"), h("ul", { class: "todo" }, alerts)) : null,
  );
  unsubscribe?.();
  unsubscribe = onBooksChange(() => {
    if (document.body.dataset.page === "overview") render(main, params);
  });
}
