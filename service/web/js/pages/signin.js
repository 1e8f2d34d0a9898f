import { gql, session } from "../api.js";
import { clear, field, h, notice } from "../ui.js";

export async function render(main) {
  const input = h("input", {
    type: "password",
    autocomplete: "off",
    required: true,
    spellcheck: "false",
  });
  const message = h("div", { "aria-live": "polite" });
  const form = h(
    "form",
    { class: "signin card", onsubmit: submit },
    h("h1", {}, "Sign in"),
    h(
      "p",
      {},
      "Paste an API token of your company. It stays in this browser tab only and is forgotten when the tab closes.",
    ),
    field("API token", input, "token"),
    message,
    h("button", { class: "primary", type: "submit" }, "Sign in"),
  );
  async function submit(event) {
    event.preventDefault();
    const token = input.value.trim();
    if (!token) return;
    session.signIn(token);
    try {
      await gql("{ viewer { role } }");
      location.hash = "#/overview";
    } catch (err) {
      session.signOut();
      clear(message, notice("error", err.message));
      input.focus();
    }
  }
  clear(main, form);
  input.focus();
}
