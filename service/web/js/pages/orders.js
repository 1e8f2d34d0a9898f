import { gql } from "../api.js";
import { money, date, words } from "../format.js";
import { actionBar } from "../actions.js";
import { may } from "../app.js";
import { clear, h, link, loading, notice, table } from "../ui.js";

export const TABS = [
  ["ALL", "All"],
  ["UNPAID", "Unpaid"],
  ["MISSING_COSTS", "Missing costs"],
  ["NEEDS_DATA", "Needs data"],
  ["EXCLUDED", "Excluded"],
  ["UNFULFILLED", "Unfulfilled"],
  ["REFUNDED", "Refunded"],
  ["VOID", "Void"],
  ["GIVEAWAY", "Giveaway"],
  ["COGS_ONLY", "COGS only"],
];

const QUERY = `query($after: String, $filter: OrderFilter) {
  orders(first: 50, after: $after, filter: $filter) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { id name placedAt channel paymentStatus fulfillmentStatus booksStatus missingCosts
      total { amount currencyCode } openBalance { amount currencyCode } postingError }
  }
}`;

let flash = null;

export async function render(main, params) {
  const shown = flash ? notice("success", flash) : null;
  flash = null;
  const tab = params.get("tab") || "ALL";
  const name = params.get("q") || "";
  const tabs = h(
    "nav",
    { class: "tabs", "aria-label": "Order tabs" },
    TABS.map(([value, label]) =>
      h("a", { href: `#/orders?tab=${value}${name ? `&q=${encodeURIComponent(name)}` : ""}`, "aria-current": value === tab ? "page" : null }, label),
    ),
  );
  const search = h("input", { type: "search", value: name, placeholder: "Order name, e.g. #1007", "aria-label": "Search orders by name" });
  const searchForm = h(
    "form",
    {
      class: "search",
      role: "search",
      onsubmit: (e) => {
        e.preventDefault();
        location.hash = `#/orders?tab=${tab}&q=${encodeURIComponent(search.value.trim())}`;
      },
    },
    search,
    h("button", { type: "submit" }, "Search"),
  );
  const count = h("p", { class: "count", role: "status" });
  const tbody = h("tbody");
  const more = h("button", { type: "button", class: "secondary", hidden: true }, "Load more");
  const selected = new Set();
  const bar = may("BOOKKEEPER") ? actionBar(() => [...selected], (_, text) => { flash = text; render(main, params); }) : notice("info", "Your token may read only: order actions are hidden.");
  const all = h("input", { type: "checkbox", "aria-label": "Select all orders shown" });
  all.addEventListener("change", () => {
    for (const box of tbody.querySelectorAll("input[type=checkbox]")) {
      box.checked = all.checked;
      box.dispatchEvent(new Event("change"));
    }
  });
  const headers = [may("BOOKKEEPER") ? all : "", "Order", "Placed", "Channel", "Payment", "Fulfilment", "Books", "Total", "Open balance", "Missing costs"];
  const list = h(
    "div",
    { class: "table-wrap" },
    h("table", { class: "orders" }, h("thead", {}, h("tr", {}, headers.map((c) => h("th", { scope: "col" }, c)))), tbody),
  );
  clear(main, h("h1", {}, "Orders"), shown, tabs, searchForm, bar, count, list, more, loading());
  let after = null;
  async function page() {
    const filter = { tab, ...(name ? { name } : {}) };
    const { orders } = await gql(QUERY, { after, filter });
    main.querySelector(".loading")?.remove();
    count.textContent = `${orders.totalCount} order(s)`;
    for (const o of orders.nodes) tbody.append(row(o, selected));
    if (!orders.nodes.length && !after) tbody.append(h("tr", {}, h("td", { colspan: headers.length }, "No orders in this tab.")));
    after = orders.pageInfo.endCursor;
    more.hidden = !orders.pageInfo.hasNextPage;
  }
  more.addEventListener("click", page);
  await page();
}

function row(o, selected) {
  const box = h("input", { type: "checkbox", "aria-label": `Select ${o.name}`, value: o.id });
  box.addEventListener("change", () => (box.checked ? selected.add(o.id) : selected.delete(o.id)));
  return h(
    "tr",
    { dataset: { order: o.name } },
    may("BOOKKEEPER") ? h("td", {}, box) : h("td"),
    h("td", {}, link(`#/order?id=${encodeURIComponent(o.id)}`, o.name)),
    h("td", {}, date(o.placedAt)),
    h("td", {}, o.channel),
    h("td", {}, words(o.paymentStatus)),
    h("td", {}, words(o.fulfillmentStatus)),
    h("td", {}, h("span", { class: `badge status-${o.booksStatus}`, title: o.postingError || "" }, words(o.booksStatus))),
    h("td", { class: "num" }, money(o.total)),
    h("td", { class: "num" }, money(o.openBalance)),
    h("td", { class: "num" }, o.missingCosts ? h("span", { class: "badge warn" }, String(o.missingCosts)) : "0"),
  );
}
