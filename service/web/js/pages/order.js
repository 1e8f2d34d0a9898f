import { gql } from "../api.js";
import { actionBar } from "../actions.js";
import { may } from "../app.js";
import { date, dateTime, money, words } from "../format.js";
import { clear, h, link, notice, table } from "../ui.js";

const QUERY = `query($id: ID!) {
  order(id: $id) {
    id name sourceOrderId placedAt channel paymentStatus fulfillmentStatus booksStatus postingError
    recognizedOn missingCosts total { amount currencyCode } openBalance { amount currencyCode }
    history { at kind description amount { amount currencyCode } }
    journalEntries { id date rule memo event
      ruleInfo { id section title explanation }
      lines { accountKey accountName rule sku debit { amount currencyCode } credit { amount currencyCode } }
      sourceEvents { id source topic externalId receivedAt status }
    }
  }
  postingRules { id section title explanation }
}`;

let flash = null;

export async function render(main, params) {
  const shown = flash ? notice("success", flash) : null;
  flash = null;
  const id = params.get("id");
  const { order: o, postingRules } = await gql(QUERY, { id });
  if (!o) return clear(main, h("h1", {}, "Order"), notice("error", "There is no such order."), link("#/orders", "Back to orders"));
  const rules = new Map(postingRules.map((r) => [r.id, r]));
  const facts = h(
    "dl",
    { class: "facts" },
    fact("Placed", dateTime(o.placedAt)),
    fact("Channel", o.channel),
    fact("Payment", words(o.paymentStatus)),
    fact("Fulfilment", words(o.fulfillmentStatus)),
    fact("Books", words(o.booksStatus)),
    fact("Recognised on", date(o.recognizedOn)),
    fact("Total", money(o.total)),
    fact("Open balance", money(o.openBalance)),
    fact("Missing costs", String(o.missingCosts)),
    fact("Id in the channel", o.sourceOrderId),
  );
  const actions = may("BOOKKEEPER") ? h("section", { class: "card" }, h("h2", {}, "Actions"), actionBar(() => [o.id], (_, text) => { flash = text; render(main, params); })) : null;
  clear(
    main,
    h("p", {}, link("#/orders", "← Orders")),
    h("h1", {}, `Order ${o.name}`),
    shown,
    o.postingError ? notice("error", o.postingError) : null,
    h("section", { class: "card" }, facts),
    actions,
    h("section", { class: "card" }, h("h2", {}, "What happened"), timeline(o)),
    h("section", { class: "card entries" }, h("h2", {}, "Journal entries"), o.journalEntries.length ? o.journalEntries.map((e) => entry(e, rules)) : h("p", {}, "Nothing posted for this order.")),
  );
}

function fact(label, value) {
  return h("div", {}, h("dt", {}, label), h("dd", {}, value));
}

// The order's events in time order, as the channel said them, then the
// deliveries (webhooks, synced records) that carried them.
function timeline(o) {
  const events = o.history.map((e) =>
    h("li", { dataset: { kind: e.kind } }, h("time", { datetime: e.at }, dateTime(e.at)), " ", e.description),
  );
  const seen = new Map();
  for (const e of o.journalEntries) for (const s of e.sourceEvents) seen.set(s.id, s);
  const deliveries = [...seen.values()].sort((a, b) => (a.receivedAt < b.receivedAt ? -1 : 1));
  return [
    events.length ? h("ol", { class: "timeline" }, events) : h("p", {}, "No stored history for this order."),
    deliveries.length
      ? h("details", {}, h("summary", {}, `${deliveries.length} delivery(ies) received`),
          h("ol", { class: "timeline" }, deliveries.map((s) => h("li", {}, h("time", { datetime: s.receivedAt }, dateTime(s.receivedAt)), ` ${s.topic} (${s.source}, ${s.externalId}, ${s.status.toLowerCase()})`))))
      : null,
  ];
}

function entry(e, rules) {
  const info = e.ruleInfo || rules.get(e.rule);
  const lines = e.lines.map((l) => {
    const r = rules.get(l.rule);
    return h(
      "tr",
      {},
      h("td", {}, l.accountName, l.sku ? h("small", { class: "sku" }, ` ${l.sku}`) : null),
      h("td", { class: "num" }, isZeroMoney(l.debit) ? "" : money(l.debit)),
      h("td", { class: "num" }, isZeroMoney(l.credit) ? "" : money(l.credit)),
      h("td", {}, h("span", { class: "rule" }, r ? `${r.section} ${r.title}` : l.rule), r && l.rule !== e.rule ? h("p", { class: "explanation" }, r.explanation) : null),
    );
  });
  return h(
    "article",
    { class: "entry", dataset: { rule: e.rule } },
    h("h3", {}, h("time", { datetime: e.date }, date(e.date)), " · ", info ? `${info.section} ${info.title}` : e.rule),
    h("p", { class: "memo" }, e.memo),
    info ? h("p", { class: "explanation" }, h("strong", {}, "Why: "), info.explanation) : null,
    table(["Account", "Debit", "Credit", "Rule"], lines, { class: "lines" }),
  );
}

function isZeroMoney(m) {
  return !m || /^-?0*(\.0*)?$/.test(m.amount);
}
