import { download, gql } from "../api.js";
import { viewer } from "../app.js";
import { money } from "../format.js";
import { periodPicker, setHashParams } from "../period.js";
import { clear, field, h, loading, notice, select } from "../ui.js";

const M = "{ amount currencyCode }";
const KINDS = [["pl", "Profit and loss"], ["bs", "Balance sheet"], ["tb", "Trial balance"]];

export async function render(main, params) {
  const kind = params.get("kind") || "pl";
  const storeId = params.get("store") || "";
  const columns = params.get("columns") || "";
  const state = () => ({ kind, store: storeId, columns, from: picker.from, to: picker.to, preset: picker.preset });
  const picker = periodPicker(params, (from, to, preset) => setHashParams("statements", { ...state(), from, to, preset }));
  const tabs = h(
    "nav",
    { class: "tabs", "aria-label": "Statements" },
    KINDS.map(([k, label]) => h("a", { href: `#/statements?${new URLSearchParams({ ...state(), kind: k })}`, "aria-current": k === kind ? "page" : null }, label)),
  );
  const storeSel = select([["", "All stores"], ...viewer.stores.map((s) => [s.id, s.name])], storeId);
  storeSel.addEventListener("change", () => setHashParams("statements", { ...state(), store: storeSel.value }));
  const colSel = select([["", "No columns"], ["MONTH", "By month"], ["STORE", "By store"], ["CHANNEL", "By channel"]], columns);
  colSel.addEventListener("change", () => setHashParams("statements", { ...state(), columns: colSel.value }));
  const message = h("div", { "aria-live": "polite" });
  const files = h(
    "div",
    { class: "downloads" },
    h("button", { type: "button", class: "secondary", onclick: () => save("csv") }, "Download CSV"),
    h("button", { type: "button", class: "secondary", onclick: () => save("xlsx") }, "Download XLSX"),
  );
  async function save(ext) {
    const q = new URLSearchParams({ statement: kind, to: picker.to });
    if (kind !== "bs") q.set("from", picker.from);
    if (storeId) q.set("storeId", storeId);
    if (kind === "pl" && columns) q.set("columnsBy", columns);
    try {
      await download(`/reports/statement.${ext}?${q}`, `${kind}-${picker.from}-${picker.to}.${ext}`);
    } catch (err) {
      message.replaceChildren(notice("error", err.message));
    }
  }
  const controls = h(
    "div",
    { class: "controls" },
    picker.box,
    field("Store", storeSel, "store"),
    kind === "pl" ? field("Columns", colSel, "columns") : null,
    files,
  );
  const body = h("div", {}, loading());
  clear(main, h("h1", {}, "Statements"), tabs, controls, message, body);
  const from = picker.from, to = picker.to;
  const vars = { from, to, storeId: storeId || null };
  const drill = (accountKey, f, t, extra = {}) =>
    `#/journal?${new URLSearchParams({ account: accountKey, ...(f ? { from: f } : {}), to: t, ...(storeId ? { store: storeId } : {}), ...extra })}`;
  if (kind === "pl") {
    const { profitAndLoss: p } = await gql(
      `query($from: Date!, $to: Date!, $storeId: ID, $columnsBy: StatementColumns) {
        profitAndLoss(from: $from, to: $to, storeId: $storeId, columnsBy: $columnsBy) {
          lines { accountKey name depth amount ${M} } netSales ${M} grossProfit ${M} netIncome ${M} missingCostLines
          columns { key name lines { accountKey amount ${M} } netSales ${M} grossProfit ${M} netIncome ${M} } } }`,
      { ...vars, columnsBy: columns || null },
    );
    const cols = p.columns;
    const head = ["Account", ...cols.map((c) => c.name), "Total"];
    const byCol = cols.map((c) => new Map(c.lines.map((l) => [l.accountKey, l.amount])));
    // A column's amount drills to its month, store or channel.
    const colRange = (c) => (columns === "MONTH" ? [c.key, monthEnd(c.key, to)] : [from, to]);
    const colFilter = (c) => (!c.key ? {} : columns === "STORE" ? { store: c.key } : columns === "CHANNEL" ? { channel: c.key } : {});
    const rows = p.lines.map((l) =>
      h(
        "tr",
        { class: `depth-${l.depth}` },
        h("th", { scope: "row" }, l.name),
        cols.map((c, i) => amountCell(byCol[i].get(l.accountKey), drill(l.accountKey, ...colRange(c), colFilter(c)))),
        amountCell(l.amount, drill(l.accountKey, from, to)),
      ),
    );
    const total = (label, key) => h("tr", { class: "total" }, h("th", { scope: "row" }, label), cols.map((c) => h("td", { class: "num" }, money(c[key]))), h("td", { class: "num" }, money(p[key])));
    clear(
      body,
      p.missingCostLines ? notice("warn", `${p.missingCostLines} order line(s) in this period have no cost; their COGS is 0 until resolved.`) : null,
      statementTable(head, [...rows, total("Net sales", "netSales"), total("Gross profit", "grossProfit"), total("Net income", "netIncome")], "profit-and-loss"),
    );
  } else if (kind === "bs") {
    const { balanceSheet: b } = await gql(
      `query($to: Date!, $storeId: ID) { balanceSheet(asOf: $to, storeId: $storeId) {
        asOf lines { accountKey name depth amount ${M} } totalAssets ${M} totalLiabilities ${M} totalEquity ${M} } }`,
      { to, storeId: storeId || null },
    );
    const rows = b.lines.map((l) => h("tr", { class: `depth-${l.depth}` }, h("th", { scope: "row" }, l.name), amountCell(l.amount, drill(l.accountKey, null, to))));
    const total = (label, m) => h("tr", { class: "total" }, h("th", { scope: "row" }, label), h("td", { class: "num" }, money(m)));
    clear(body, h("p", {}, `As of ${to}`), statementTable(["Account", "Balance"], [...rows, total("Total assets", b.totalAssets), total("Total liabilities", b.totalLiabilities), total("Total equity", b.totalEquity)], "balance-sheet"));
  } else {
    const { trialBalance: t } = await gql(
      `query($from: Date!, $to: Date!, $storeId: ID) { trialBalance(from: $from, to: $to, storeId: $storeId) {
        lines { accountKey name debit ${M} credit ${M} } totalDebit ${M} totalCredit ${M} } }`,
      vars,
    );
    const rows = t.lines.map((l) => h("tr", {}, h("th", { scope: "row" }, l.name), amountCell(l.debit, drill(l.accountKey, null, to)), amountCell(l.credit, drill(l.accountKey, null, to))));
    rows.push(h("tr", { class: "total" }, h("th", { scope: "row" }, "Total"), h("td", { class: "num" }, money(t.totalDebit)), h("td", { class: "num" }, money(t.totalCredit))));
    clear(body, statementTable(["Account", "Debit", "Credit"], rows, "trial-balance"));
  }
}

function monthEnd(first, to) {
  const d = new Date(`${first}T00:00:00`);
  const end = new Date(d.getFullYear(), d.getMonth() + 1, 0);
  const p = (n) => String(n).padStart(2, "0");
  const iso = `${end.getFullYear()}-${p(end.getMonth() + 1)}-${p(end.getDate())}`;
  return iso < to ? iso : to;
}

function amountCell(m, href) {
  if (!m || /^-?0*(\.0*)?$/.test(m.amount)) return h("td", { class: "num zero" }, m ? money(m) : "—");
  return h("td", { class: "num" }, h("a", { href, title: "Show the journal entries" }, money(m)));
}

function statementTable(head, rows, id) {
  return h(
    "div",
    { class: "table-wrap" },
    h("table", { class: "statement", id }, h("thead", {}, h("tr", {}, head.map((c) => h("th", { scope: "col" }, c)))), h("tbody", {}, rows)),
  );
}
