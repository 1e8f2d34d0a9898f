// Period pickers shared by pages: presets plus from/to dates.
import { isoDate } from "./format.js";
import { field, h, select } from "./ui.js";

export function presetRange(preset, today = new Date()) {
  const y = today.getFullYear(), m = today.getMonth();
  const end = isoDate(today);
  switch (preset) {
    case "month": return [isoDate(new Date(y, m, 1)), end];
    case "quarter": return [isoDate(new Date(y, m - 2, 1)), end];
    case "year": return [isoDate(new Date(y, 0, 1)), end];
    case "last-year": return [isoDate(new Date(y - 1, 0, 1)), isoDate(new Date(y - 1, 11, 31))];
    default: return [isoDate(new Date(y, m - 11, 1)), end];
  }
}

export function periodPicker(params, onChange) {
  const preset = params.get("preset") || (params.get("from") ? "custom" : "12m");
  let [from, to] = presetRange(preset);
  if (params.get("from")) from = params.get("from");
  if (params.get("to")) to = params.get("to");
  const presetSel = select(
    [["month", "This month"], ["quarter", "Last 3 months"], ["year", "This year"], ["12m", "Last 12 months"], ["last-year", "Last year"], ["custom", "Custom"]],
    preset,
  );
  const fromIn = h("input", { type: "date", value: from, required: true });
  const toIn = h("input", { type: "date", value: to, required: true });
  presetSel.addEventListener("change", () => {
    if (presetSel.value !== "custom") [fromIn.value, toIn.value] = presetRange(presetSel.value);
    onChange(fromIn.value, toIn.value, presetSel.value);
  });
  for (const input of [fromIn, toIn]) {
    input.addEventListener("change", () => {
      presetSel.value = "custom";
      if (fromIn.value && toIn.value) onChange(fromIn.value, toIn.value, "custom");
    });
  }
  const box = h("div", { class: "period" }, field("Period", presetSel, "preset"), field("From", fromIn, "from"), field("To", toIn, "to"));
  return { box, from, to, preset };
}

export function setHashParams(name, values) {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(values)) if (v) params.set(k, v);
  const next = `#/${name}?${params}`;
  if (location.hash !== next) location.hash = next;
}

export function monthEnds(from, to) {
  const out = [];
  const start = new Date(`${from}T00:00:00`), end = new Date(`${to}T00:00:00`);
  let d = new Date(start.getFullYear(), start.getMonth() + 1, 0);
  while (d < end && out.length < 36) {
    out.push(isoDate(d));
    d = new Date(d.getFullYear(), d.getMonth() + 2, 0);
  }
  out.push(isoDate(end));
  return out;
}
