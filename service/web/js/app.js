// The dashboard: a hash router over pages, each a module that renders into
// <main>. Signed out, every route shows the sign-in page.
import { gql, session } from "./api.js";
import { startBooksStatus, stopBooksStatus } from "./status.js";
import { clear, h, notice } from "./ui.js";

const pages = {
  signin: () => import("./pages/signin.js"),
  overview: () => import("./pages/overview.js"),
  orders: () => import("./pages/orders.js"),
  order: () => import("./pages/order.js"),
  statements: () => import("./pages/statements.js"),
  journal: () => import("./pages/journal.js"),
  costs: () => import("./pages/costs.js"),
  settings: () => import("./pages/settings.js"),
};

export const viewer = { role: null, companyName: "", currency: "USD", stores: [] };

export function may(role) {
  const rank = { READ_ONLY: 0, BOOKKEEPER: 1, ADMIN: 2 };
  return (rank[viewer.role] ?? -1) >= rank[role];
}

function parseHash() {
  const [path, query = ""] = location.hash.replace(/^#\/?/, "").split("?");
  return { name: path || "overview", params: new URLSearchParams(query) };
}

async function loadViewer() {
  const data = await gql(`{ viewer { companyName role tokenName }
    stores { id name currencyCode timezone platform } }`);
  Object.assign(viewer, data.viewer, {
    stores: data.stores,
    currency: data.stores[0]?.currencyCode || "USD",
  });
  document.getElementById("nav").hidden = false;
  const who = document.getElementById("who");
  clear(
    who,
    h("span", { class: "company" }, viewer.companyName),
    h("span", { class: `role role-${viewer.role}` }, viewer.role.replace("_", " ").toLowerCase()),
    h("button", { class: "link", type: "button", onclick: signOut }, "Sign out"),
  );
}

export function signOut() {
  session.signOut();
  viewer.role = null;
  stopBooksStatus();
  document.getElementById("nav").hidden = true;
  clear(document.getElementById("who"));
  location.hash = "#/signin";
}

let rendering = 0;
async function route() {
  const main = document.getElementById("main");
  let { name, params } = parseHash();
  if (!session.token()) name = "signin";
  else if (name === "signin") name = "overview";
  if (!pages[name]) name = "overview";
  const run = ++rendering;
  const hash = location.hash;
  delete document.body.dataset.ready;
  try {
    // Who the token is and the page's code load side by side.
    const loadingPage = pages[name]();
    if (name !== "signin" && !viewer.role) {
      await loadViewer();
      startBooksStatus();
    }
    for (const a of document.querySelectorAll("#nav a")) {
      const current = a.getAttribute("href") === `#/${name}` || (name === "order" && a.getAttribute("href") === "#/orders");
      if (current) a.setAttribute("aria-current", "page");
      else a.removeAttribute("aria-current");
    }
    const page = await loadingPage;
    if (run !== rendering) return;
    document.body.dataset.page = name;
    await page.render(main, params);
  } catch (err) {
    if (run !== rendering) return;
    if (!session.token()) return route();
    clear(main, notice("error", err.message));
  }
  // Rendered: tests (and anyone curious) can tell the page is complete.
  if (run === rendering) {
    document.body.dataset.ready = hash;
    performance.mark("storebooks:ready", { detail: hash });
  }
}

window.addEventListener("hashchange", route);
window.addEventListener("storebooks:signed-out", () => {
  if (!viewer.role) return; // a refused sign-in: the sign-in page shows why
  viewer.role = null;
  stopBooksStatus();
  document.getElementById("nav").hidden = true;
  if (parseHash().name !== "signin") location.hash = "#/signin";
});
route();
