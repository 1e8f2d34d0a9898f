import { gql, idempotencyKey } from "../api.js";
import { may, viewer } from "../app.js";
import { dateTime, words } from "../format.js";
import { followJob } from "../status.js";
import { clear, field, formErrors, h, notice, section, select, showUserErrors, table } from "../ui.js";

export async function render(main) {
  const data = await gql(`{
    bookkeepingSettings { accountingBasis costingMethod version stores { store { id name } fulfillmentTracking channels { channel status } } }
    stores { id name platform shopDomain timezone currencyCode }
    syncRuns(first: 10) { nodes { id storeId kind status progress ordersSeen ordersTotal errors requestedAt finishedAt } }
    ingestErrors(first: 10) { totalCount nodes { id topic externalId reason receivedAt } }
    inventorySystems { provider account connectedAt lastSyncedAt recentSyncs { id status error enqueuedAt finishedAt } }
  }`);
  const admin = may("ADMIN");
  clear(
    main,
    h("h1", {}, "Settings"),
    admin ? null : notice("info", "Changing settings needs an ADMIN token; this page shows them only."),
    basisSection(data.bookkeepingSettings, admin),
    fulfillmentSection(data.bookkeepingSettings, admin),
    channelSection(data.bookkeepingSettings, admin),
    storesSection(data.stores, data.syncRuns.nodes, data.ingestErrors, may("BOOKKEEPER")),
    inventorySection(data.inventorySystems, admin),
    admin ? await tokensSection() : null,
    section("API", h("p", {}, "Everything here goes through the GraphQL API. Explore it in ", h("a", { href: "/graphql" }, "GraphiQL"), " (this tab's token is filled in).")),
  );
}

async function save(form, input, jobBox) {
  const button = form.querySelector("button.primary");
  button.disabled = true;
  try {
    const { updateBookkeepingSettings: r } = await gql(
      `mutation($input: UpdateBookkeepingSettingsInput!) { updateBookkeepingSettings(input: $input) {
        repostJob { id status } userErrors { field code message } } }`,
      { input: { ...input, idempotencyKey: idempotencyKey() } },
    );
    if (!showUserErrors(form, r.userErrors)) return;
    if (r.repostJob) await followJob(r.repostJob.id, jobBox);
    else clear(jobBox, h("span", { class: "job-state" }, "Nothing changed."));
  } catch (err) {
    showUserErrors(form, [{ message: err.message }]);
  } finally {
    button.disabled = false;
  }
}

function basisSection(s, admin) {
  const choice = (value, title, text) =>
    h("label", { class: "choice" }, h("input", { type: "radio", name: "basis", value, checked: s.accountingBasis === value, disabled: !admin }), h("span", {}, h("strong", {}, title), " — ", text));
  const jobBox = h("div", { class: "job-box", id: "basis-job" });
  const form = h(
    "form",
    { onsubmit: (e) => { e.preventDefault(); save(form, { accountingBasis: form.querySelector("input[name=basis]:checked").value }, jobBox); } },
    h("fieldset", { class: "field", dataset: { field: "accountingBasis" } },
      h("legend", {}, "Accounting basis"),
      choice("CASH", "Cash", "sales count when the payment is collected; unpaid orders are not in the books."),
      choice("ACCRUAL", "Accrual", "sales count when the order is fulfilled; unpaid orders are accounts receivable until paid."),
      h("span", { class: "field-error" })),
    formErrors(),
    admin ? h("button", { class: "primary" }, "Save and re-post") : null,
    jobBox,
  );
  return section("Accounting basis", h("p", {}, "A change re-posts every entry; the progress shows below and in the bar at the top."), form);
}

function fulfillmentSection(s, admin) {
  const rows = s.stores.map(({ store, fulfillmentTracking }) => {
    const sel = select([["ORDER_PLACED_DATE", "Order placed date"], ["ORDER_FULFILLED_DATE", "Order fulfilled date"]], fulfillmentTracking, { disabled: !admin });
    const jobBox = h("div", { class: "job-box" });
    const form = h("form", { class: "row-form", onsubmit: (e) => { e.preventDefault(); save(form, { storeId: store.id, fulfillmentTracking: sel.value }, jobBox); } },
      field(store.name, sel, "fulfillmentTracking"), formErrors(), admin ? h("button", { class: "primary" }, "Save") : null, jobBox);
    return form;
  });
  return section(
    "Fulfillment tracking (Shopify)",
    h("p", {}, h("strong", {}, "Order placed date"), " (the default): each order counts as fulfilled the day it is placed. Choose it when fulfillment statuses in Shopify are missing or late; sales and COGS then follow the order date."),
    h("p", {}, h("strong", {}, "Order fulfilled date"), ": an order counts as fulfilled (or partly) on the dates its items ship in Shopify. Choose it when Shopify's fulfillment data is kept up to date."),
    rows.length ? rows : h("p", {}, "No stores yet."),
  );
}

const CHANNEL_STATUSES = [["INCLUDED", "Included"], ["EXCLUDED", "Excluded"], ["COGS_ONLY", "COGS only"], ["SALES_ONLY", "Sales only"]];

function channelSection(settings, admin) {
  const rows = settings.stores.flatMap(({ store, channels }) =>
    channels.map(({ channel, status }) => {
      const sel = select(CHANNEL_STATUSES, status, { disabled: !admin, "aria-label": `Status of ${channel} (${store.name})` });
      const jobBox = h("div", { class: "job-box" });
      const message = h("span", { class: "field-error", "aria-live": "polite" });
      const set = admin
        ? h("button", { type: "button", class: "secondary", onclick: async () => {
            try {
              const { setChannelStatus: r } = await gql(`mutation($input: SetChannelStatusInput!) { setChannelStatus(input: $input) { repostJob { id } userErrors { field code message } } }`,
                { input: { storeId: store.id, source: channel, status: sel.value, idempotencyKey: idempotencyKey() } });
              message.textContent = r.userErrors.map((e) => e.message).join(" ");
              if (!r.userErrors.length && r.repostJob) await followJob(r.repostJob.id, jobBox);
            } catch (err) {
              message.textContent = err.message;
            }
          } }, "Set")
        : null;
      return h("tr", {}, h("td", {}, store.name), h("td", {}, channel), h("td", {}, sel, message), h("td", {}, set, jobBox));
    }),
  );
  return section(
    "Channel statuses",
    h("p", {}, "Included: normal. Excluded: left out of the books. COGS only: sales excluded, costs kept. Sales only: sales kept, no COGS. A change re-posts the channel's orders."),
    rows.length ? table(["Store", "Channel", "Status", ""], rows, { class: "channels" }) : h("p", {}, "No channels yet: they appear with the first orders."),
  );
}

function storesSection(stores, runs, errors, canSync) {
  const names = new Map(stores.map((s) => [s.id, s.name]));
  const storeRows = stores.map((s) => {
    const out = h("span", { role: "status" });
    const sync = canSync && s.shopDomain ? h("button", { type: "button", onclick: async () => {
      try {
        const { syncStore: r } = await gql(`mutation($id: ID!) { syncStore(storeId: $id) { syncRun { id status } userErrors { message } } }`, { id: s.id });
        out.textContent = r.userErrors.length ? r.userErrors.map((e) => e.message).join(" ") : `Sync ${r.syncRun.status.toLowerCase()}.`;
      } catch (err) {
        out.textContent = err.message;
      }
    } }, "Sync now") : null;
    return h("tr", {}, h("td", {}, s.name), h("td", {}, s.platform), h("td", {}, s.shopDomain || "—"), h("td", {}, s.timezone), h("td", {}, s.currencyCode), h("td", {}, sync, " ", out));
  });
  const runRows = runs.map((r) => h("tr", {}, h("td", {}, names.get(r.storeId) || r.storeId), h("td", {}, words(r.kind)), h("td", {}, words(r.status)), h("td", {}, r.ordersTotal ? `${r.ordersSeen} / ${r.ordersTotal}` : String(r.ordersSeen)), h("td", {}, r.progress), h("td", {}, dateTime(r.requestedAt)), h("td", {}, Array.isArray(r.errors) && r.errors.length ? JSON.stringify(r.errors) : "—")));
  const errorRows = errors.nodes.map((e) => h("tr", {}, h("td", {}, dateTime(e.receivedAt)), h("td", {}, e.topic), h("td", {}, e.externalId), h("td", {}, e.reason)));
  return section(
    "Connected stores and syncs",
    table(["Store", "Platform", "Shop", "Time zone", "Currency", ""], storeRows, { class: "stores" }),
    h("h3", {}, "Recent sync runs"),
    runRows.length ? table(["Store", "Kind", "Status", "Orders", "Progress", "Requested", "Errors"], runRows) : h("p", {}, "No sync runs yet."),
    h("h3", {}, `Events that could not be used (${errors.totalCount})`),
    errorRows.length ? table(["Received", "Topic", "Id", "Reason"], errorRows) : h("p", {}, "None."),
  );
}

async function tokensSection() {
  const { apiTokens } = await gql(`{ apiTokens { id name role createdAt expiresAt lastUsedAt revokedAt } }`);
  const rows = apiTokens.map((t) => h("tr", {}, h("td", {}, t.name), h("td", {}, words(t.role)), h("td", {}, dateTime(t.createdAt)), h("td", {}, dateTime(t.lastUsedAt)), h("td", {}, t.revokedAt ? `revoked ${dateTime(t.revokedAt)}` : t.expiresAt ? `expires ${dateTime(t.expiresAt)}` : "active"),
    h("td", {}, t.revokedAt ? "" : h("button", { type: "button", class: "secondary", onclick: async () => {
      const { revokeApiToken: r } = await gql(`mutation($input: RevokeApiTokenInput!) { revokeApiToken(input: $input) { userErrors { message } } }`, { input: { id: t.id } });
      if (!r.userErrors.length) location.reload();
    } }, "Revoke"))));
  const name = h("input", { type: "text", required: true });
  const role = select([["READ_ONLY", "Read only"], ["BOOKKEEPER", "Bookkeeper"], ["ADMIN", "Admin"]], "BOOKKEEPER");
  const out = h("div", { "aria-live": "polite" });
  const form = h("form", { onsubmit: async (e) => {
    e.preventDefault();
    const { createApiToken: r } = await gql(`mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token userErrors { field code message } } }`, { input: { name: name.value.trim(), role: role.value } });
    if (showUserErrors(form, r.userErrors)) clear(out, notice("success", "The new token (shown once, copy it now): ", h("code", {}, r.token)));
  } }, h("div", { class: "row-form" }, field("Name", name, "name"), field("Role", role, "role"), h("button", { class: "primary" }, "Create token")), formErrors(), out);
  return section("API tokens", table(["Name", "Role", "Created", "Last used", "State", ""], rows), h("h3", {}, "New token"), form);
}

const PROVIDER_NAMES = { FINALE: "Finale Inventory", GOFLOW: "Goflow" };

function inventorySection(systems, admin) {
  const rows = systems.map((sys) => {
    const jobBox = h("div", { class: "job-box" });
    const sync = may("BOOKKEEPER")
      ? h("button", { type: "button", onclick: async () => {
          try {
            const { syncInventoryCosts: r } = await gql(`mutation($p: InventoryProvider!) { syncInventoryCosts(provider: $p) { syncJob { id } userErrors { message } } }`, { p: sys.provider });
            if (r.userErrors.length) clear(jobBox, notice("error", r.userErrors.map((e) => e.message).join(" ")));
            else if (r.syncJob) await followJob(r.syncJob.id, jobBox);
          } catch (err) {
            clear(jobBox, notice("error", err.message));
          }
        } }, `Sync with ${PROVIDER_NAMES[sys.provider]}`)
      : null;
    const last = sys.recentSyncs[0];
    return h("tr", {},
      h("td", {}, PROVIDER_NAMES[sys.provider] || sys.provider), h("td", {}, sys.account), h("td", {}, dateTime(sys.connectedAt)), h("td", {}, dateTime(sys.lastSyncedAt)),
      h("td", {}, last ? `${words(last.status)}${last.error ? `: ${last.error}` : ""}` : "—"),
      h("td", {}, sync, jobBox));
  });
  const provider = select([["FINALE", "Finale Inventory"], ["GOFLOW", "Goflow"]], "FINALE");
  const account = h("input", { type: "text", autocomplete: "off" });
  const key = h("input", { type: "password", autocomplete: "off" });
  const secret = h("input", { type: "password", autocomplete: "off" });
  const subdomain = h("input", { type: "text", autocomplete: "off" });
  const token = h("input", { type: "password", autocomplete: "off" });
  const finale = h("div", { class: "row-form" }, field("Finale account", account, "account"), field("API key", key, "apiKey"), field("API secret", secret, "apiSecret"));
  const goflow = h("div", { class: "row-form", hidden: true }, field("Goflow subdomain", subdomain, "subdomain"), field("API token", token, "token"));
  provider.addEventListener("change", () => { finale.hidden = provider.value !== "FINALE"; goflow.hidden = provider.value !== "GOFLOW"; });
  const jobBox = h("div", { class: "job-box" });
  const form = h("form", { onsubmit: async (e) => {
    e.preventDefault();
    const input = provider.value === "FINALE"
      ? { provider: "FINALE", account: account.value.trim(), apiKey: key.value, apiSecret: secret.value }
      : { provider: "GOFLOW", subdomain: subdomain.value.trim(), token: token.value };
    try {
      const { connectInventorySystem: r } = await gql(`mutation($input: ConnectInventorySystemInput!) { connectInventorySystem(input: $input) { syncJob { id } userErrors { field code message } } }`, { input: { ...input, idempotencyKey: idempotencyKey() } });
      if (showUserErrors(form, r.userErrors) && r.syncJob) await followJob(r.syncJob.id, jobBox);
    } catch (err) {
      showUserErrors(form, [{ message: err.message }]);
    }
  } }, field("System", provider, "provider"), finale, goflow, formErrors(), h("button", { class: "primary" }, "Connect and sync"), jobBox);
  return section(
    "Inventory systems",
    h("p", {}, "Finale or Goflow give the cost of each shipped order line; lines they have no cost for show as missing costs."),
    rows.length ? table(["System", "Account", "Connected", "Last synced", "Last sync", ""], rows, { class: "inventory-systems" }) : h("p", {}, "None connected."),
    admin ? h("details", {}, h("summary", {}, "Connect an inventory system"), form) : null,
  );
}
