// Drill-down: the journal entries behind a statement amount, each with the
// order it belongs to.
import { gql } from "../api.js";
import { date, money } from "../format.js";
import { clear, h, link, loading, table } from "../ui.js";

const QUERY = `query($after: String, $filter: JournalEntryFilter) {
  journalEntries(first: 20, after: $after, filter: $filter) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { id date rule memo ruleInfo { section title }
      lines { accountKey accountName debit { amount currencyCode } credit { amount currencyCode } order { id name } } }
  }
}`;

export async function render(main, params) {
  const account = params.get("account");
  const filter = {
    accountKey: account,
    from: params.get("from") || null,
    to: params.get("to") || null,
    storeId: params.get("store") || null,
    channel: params.get("channel") || null,
  };
  const tbody = h("tbody");
  const count = h("p", { class: "count", role: "status" });
  const more = h("button", { type: "button", class: "secondary", hidden: true }, "Load more");
  clear(
    main,
    h("p", {}, h("a", { href: "#", onclick: (e) => { e.preventDefault(); history.back(); } }, "← Back")),
    h("h1", { id: "journal-title" }, `Journal: ${account}`),
    h("p", {}, `${filter.from ? `From ${filter.from} ` : ""}to ${filter.to}`, filter.channel ? `, channel ${filter.channel}` : "", filter.storeId ? ", one store" : ""),
    count,
    h("div", { class: "table-wrap" }, h("table", { class: "journal" }, h("thead", {}, h("tr", {}, ["Date", "Entry", "Order", "Debit", "Credit"].map((c) => h("th", { scope: "col" }, c)))), tbody)),
    more,
    loading(),
  );
  let after = null;
  async function page() {
    const { journalEntries: j } = await gql(QUERY, { after, filter });
    main.querySelector(".loading")?.remove();
    count.textContent = `${j.totalCount} entr${j.totalCount === 1 ? "y" : "ies"}`;
    for (const e of j.nodes) {
      for (const l of e.lines.filter((l) => l.accountKey === account)) {
        main.querySelector("#journal-title").textContent = `Journal: ${l.accountName}`;
        tbody.append(
          h(
            "tr",
            {},
            h("td", {}, date(e.date)),
            h("td", {}, e.ruleInfo ? `${e.ruleInfo.section} ${e.ruleInfo.title}` : e.rule, h("br"), h("small", {}, e.memo)),
            h("td", {}, l.order ? link(`#/order?id=${encodeURIComponent(l.order.id)}`, l.order.name) : "—"),
            h("td", { class: "num" }, /^-?0*(\.0*)?$/.test(l.debit.amount) ? "" : money(l.debit)),
            h("td", { class: "num" }, /^-?0*(\.0*)?$/.test(l.credit.amount) ? "" : money(l.credit)),
          ),
        );
      }
    }
    after = j.pageInfo.endCursor;
    more.hidden = !j.pageInfo.hasNextPage;
  }
  more.addEventListener("click", page);
  await page();
}
