// Order actions (void, giveaway, COGS only, close a balance, exclude,
// include, link or unlink a bank deposit), asked for with a confirmation
// and applied through the API.
import { gql, idempotencyKey } from "./api.js";
import { date, isoDate, money } from "./format.js";
import { confirmDialog, field, h, notice, select } from "./ui.js";

export const ACTIONS = [
  ["VOID", "Void", "Every effect of the order is removed from the books, as if it never happened."],
  ["GIVEAWAY", "Giveaway", "Sales are excluded; the goods given away are an expense."],
  ["COGS_ONLY", "COGS only", "Sales are excluded; COGS and inventory still move."],
  ["CLOSE_UNCOLLECTED", "Close as uncollectible", "What the customer still owes becomes bad debt on the date given."],
  ["CLOSE_OVERCOLLECTED", "Close as over-collected", "What was collected beyond the order becomes sales on the date given."],
  ["EXCLUDE", "Exclude", "The order is left out of the books completely."],
  ["INCLUDE", "Include (undo an action)", "The order is treated normally again."],
  ["LINK_PAYMENT", "Link payment", "A bank deposit paid these orders (cash, cheque, bank transfer): they count as paid on the deposit's date."],
  ["UNLINK_PAYMENT", "Unlink payment", "The deposit no longer pays these orders; they are re-posted as unpaid."],
];

const DEPOSITS = `{ bankLines(first: 100, unexplainedOnly: true) {
  nodes { id date amount { amount currencyCode } description } } }`;

// The unexplained deposits a payment can be linked to, newest first.
async function depositOptions(picker) {
  const { bankLines } = await gql(DEPOSITS);
  const deposits = bankLines.nodes.filter((l) => Number(l.amount.amount) > 0);
  picker.replaceChildren(
    ...[["", deposits.length ? "Choose the deposit…" : "No unexplained deposit"]]
      .concat(deposits.map((l) => [l.id, `${date(l.date)} · ${money(l.amount)} · ${l.description}`]))
      .map(([v, label]) => h("option", { value: v }, label)),
  );
}

// A bar with an action picker, a date for the CLOSE_* actions and Apply.
export function actionBar(getIds, onDone) {
  const action = select([["", "Choose an action…"], ...ACTIONS.map(([v, l]) => [v, l])], "", { class: "action-select" });
  const day = h("input", { type: "date", value: isoDate(new Date()) });
  const dateField = field("Date", day, "date");
  dateField.hidden = true;
  const deposit = select([["", "Choose the deposit…"]], "", { class: "deposit-select" });
  const depositField = field("Deposit", deposit, "bankLineId");
  const difference = h("input", { type: "text", placeholder: "BANK_FEES" });
  const differenceField = field("Difference to", difference, "differenceAccount", "When the deposit and the orders' balances differ");
  depositField.hidden = differenceField.hidden = true;
  const explain = h("small", { class: "hint" });
  const message = h("div", { "aria-live": "polite" });
  action.addEventListener("change", () => {
    dateField.hidden = !action.value.startsWith("CLOSE_");
    const linking = action.value.endsWith("LINK_PAYMENT");
    depositField.hidden = !linking;
    differenceField.hidden = action.value !== "LINK_PAYMENT";
    if (linking) depositOptions(deposit).catch((err) => message.replaceChildren(notice("error", err.message)));
    explain.textContent = ACTIONS.find((a) => a[0] === action.value)?.[2] || "";
  });
  const apply = h("button", { type: "submit", class: "primary" }, "Apply");
  const form = h(
    "form",
    { class: "action-bar", onsubmit: submit },
    field("Action", action, "action"),
    dateField,
    depositField,
    differenceField,
    apply,
    explain,
    message,
  );
  async function submit(event) {
    event.preventDefault();
    const ids = getIds();
    if (!action.value) return message.replaceChildren(notice("error", "Choose an action first."));
    if (!ids.length) return message.replaceChildren(notice("error", "Select at least one order."));
    const [, label, meaning] = ACTIONS.find((a) => a[0] === action.value);
    const ok = await confirmDialog(`${label}: ${ids.length} order(s)?`, `${meaning} The orders are re-posted at once.`, label);
    if (!ok) return;
    apply.disabled = true;
    try {
      const input = { orderIds: ids, action: action.value, idempotencyKey: idempotencyKey() };
      if (action.value.startsWith("CLOSE_")) input.date = day.value;
      if (action.value.endsWith("LINK_PAYMENT")) input.bankLineId = deposit.value || null;
      if (action.value === "LINK_PAYMENT" && difference.value.trim()) input.differenceAccount = difference.value.trim();
      const { applyOrderAction: r } = await gql(
        `mutation($input: ApplyOrderActionInput!) { applyOrderAction(input: $input) {
          orders { id name booksStatus } userErrors { field code message } } }`,
        { input },
      );
      if (r.userErrors.length) {
        message.replaceChildren(notice("error", r.userErrors.map((e) => `${e.field ? e.field + ": " : ""}${e.message}`).join(" ")));
      } else {
        const text = `${label}: done for ${r.orders.map((o) => o.name).join(", ")}.`;
        message.replaceChildren(notice("success", text));
        onDone?.(r.orders, text);
      }
    } catch (err) {
      message.replaceChildren(notice("error", err.message));
    } finally {
      apply.disabled = false;
    }
  }
  return form;
}
