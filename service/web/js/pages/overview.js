import { gql } from "../api.js";
import { barLineChart } from "../chart.js";
import { cents, fromCents, money } from "../format.js";
import { monthEnds, periodPicker, setHashParams } from "../period.js";
import { onBooksChange } from "../status.js";
import { clear, h, link, loading, notice } from "../ui.js";

const CASH = ["BANK", "UNDEPOSITED_FUNDS"];
const M = "{ amount currencyCode }";
const SHEET = `{ lines { accountKey amount ${M} } }`;

function balance(lines, keys) {
  let total = 0n;
  for (const l of lines) if (keys.includes(l.accountKey)) total += cents(l.amount);
  return total;
}

let unsubscribe = null;

// The figures and the P&L by month come first (the page is usable then);
// the month-end balances for the chart's lines follow in a second request.
export async function render(main, params) {
  const picker = periodPicker(params, (from, to, preset) => setHashParams("overview", { from, to, preset }));
  const body = h("div", { class: "overview-body" }, loading());
  clear(main, h("h1", {}, "Overview"), picker.box, body);
  const { from, to } = picker;
  const ends = monthEnds(from, to);
  const data = await gql(
    `query($from: Date!, $to: Date!) {
      pl: profitAndLoss(from: $from, to: $to, columnsBy: MONTH) {
        netSales ${M} grossProfit ${M} netIncome ${M} missingCostLines
        columns { key name netSales ${M} grossProfit ${M} netIncome ${M} }
      }
      sheet: balanceSheet(asOf: $to) ${SHEET}
      unpaid: orders(first: 1, filter: {tab: UNPAID}) { totalCount }
      needsData: orders(first: 1, filter: {tab: NEEDS_DATA}) { totalCount }
    }`,
    { from, to },
  );
  const currency = data.pl.netSales.currencyCode;
  const last = data.sheet.lines;
  const amount = (keys) => fromCents(balance(last, keys), currency);
  const kpi = (label, m, href, hint) =>
    h("a", { class: "kpi", href, title: hint || "" }, h("span", { class: "label" }, label), h("span", { class: "value" }, money(m)));
  const drill = `#/statements?from=${from}&to=${to}`;
  const cards = h(
    "div",
    { class: "kpis", "aria-label": "Key figures" },
    kpi("Net sales", data.pl.netSales, drill),
    kpi("Gross profit", data.pl.grossProfit, drill),
    kpi("Net income", data.pl.netIncome, drill),
    kpi("Cash", amount(CASH), `#/statements?kind=bs&to=${to}`, "Bank, and undeposited funds: paid out by a processor, not yet in the bank"),
    kpi("Accounts receivable", amount(["AR"]), `#/orders?tab=UNPAID`),
    kpi("Inventory value", amount(["INVENTORY"]), `#/costs`),
  );
  // Every month of the period, with the months of no activity at zero.
  const byKey = new Map(data.pl.columns.map((c) => [c.key.slice(0, 7), c]));
  const zero = { amount: "0", currencyCode: currency };
  const months = ends.map((end) => byKey.get(end.slice(0, 7)) || { name: end.slice(0, 7), netSales: zero, grossProfit: zero, netIncome: zero });
  const chartBox = h("div", { class: "chart-box" });
  const drawChart = (sheets) => {
    const num = (m) => Number(m.amount);
    const fmt = new Intl.NumberFormat(navigator.language || "en-US", { style: "currency", currency, notation: "compact" });
    const byMonth = (keys) => sheets.map((s) => Number(balance(s.lines, keys)) / 100);
    const series = [
      { name: "Net sales", values: months.map((c) => num(c.netSales)) },
      { name: "Gross profit", values: months.map((c) => num(c.grossProfit)) },
      { name: "Net income", values: months.map((c) => num(c.netIncome)) },
    ];
    if (sheets.length) {
      series.push(
        { name: "Cash", values: byMonth(CASH) },
        { name: "Accounts receivable", values: byMonth(["AR"]) },
        { name: "Inventory value", values: byMonth(["INVENTORY"]) },
      );
    }
    clear(
      chartBox,
      barLineChart({
        title: "Net sales, gross profit, net income, and month-end cash, receivables and inventory",
        labels: months.map((c) => new Date(`${c.name}-01T00:00:00`).toLocaleDateString(undefined, { month: "short", year: "2-digit" })),
        series,
        format: (v) => fmt.format(v),
      }),
      sheets.length ? null : h("p", { class: "loading", role: "status" }, "Loading month-end balances…"),
    );
  };
  drawChart([]);
  const alerts = [];
  if (data.pl.missingCostLines) alerts.push(h("li", {}, link("#/costs", `${data.pl.missingCostLines} order line(s) in this period have no cost`), " — COGS posted at 0 until you give one."));
  if (data.unpaid.totalCount) alerts.push(h("li", {}, link("#/orders?tab=UNPAID", `${data.unpaid.totalCount} unpaid order(s)`), " — link a payment or close them."));
  if (data.needsData.totalCount) alerts.push(h("li", {}, link("#/orders?tab=NEEDS_DATA", `${data.needsData.totalCount} order(s) need data`)));
  clear(
    body,
    cards,
    h("section", { class: "card" }, h("h2", {}, "By month"), chartBox),
    alerts.length ? h("section", { class: "card" }, h("h2", {}, "To do"), h("ul", { class: "todo" }, alerts)) : null,
  );
  monthEndSheets(ends.slice(0, -1))
    .then((sheets) => {
      if (!chartBox.isConnected) return;
      drawChart([...sheets, data.sheet]);
      performance.mark("storebooks:complete", { detail: location.hash });
    })
    .catch((err) => chartBox.append(notice("error", err.message)));
  unsubscribe?.();
  unsubscribe = onBooksChange(() => {
    if (document.body.dataset.page === "overview") render(main, params);
  });
}

async function monthEndSheets(days) {
  if (!days.length) return [];
  const fields = days.map((d, i) => `m${i}: balanceSheet(asOf: "${d}") ${SHEET}`).join("\n");
  const data = await gql(`{ ${fields} }`);
  return days.map((_, i) => data[`m${i}`]);
}
