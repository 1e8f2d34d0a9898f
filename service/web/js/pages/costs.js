import { download, gql, gqlUpload, idempotencyKey } from "../api.js";
import { may, viewer } from "../app.js";
import { date, isoDate, money } from "../format.js";
import { clear, field, formErrors, h, link, loading, notice, section, select, showUserErrors, table } from "../ui.js";

const M = "{ amount currencyCode }";

export async function render(main) {
  const data = await gql(`{
    products(first: 100) { totalCount nodes { sku title onHand averageCost ${M} inventoryValue ${M} channelUnitCost ${M} } }
    missingCosts(first: 100) { totalCount nodes { orderId orderName sku quantity date channel suggestedUnitCost ${M} } }
    restocks { id storeId channel kind periodStart periodEnd sku units amount ${M} }
  }`);
  const canEdit = may("BOOKKEEPER");
  clear(
    main,
    h("h1", {}, "Costs and inventory"),
    missingSection(data.missingCosts, canEdit, () => render(main)),
    productsSection(data.products),
    canEdit ? restockForms(() => render(main)) : notice("info", "Your token may read only: restock reporting is hidden."),
    restockList(data.restocks),
    cogsSection(),
  );
}

function missingSection(missing, canEdit, reload) {
  if (!missing.totalCount) return section("Missing costs", notice("success", "Every sold line has a cost."));
  const rows = missing.nodes.map((m) => {
    const cost = h("input", { type: "text", inputmode: "decimal", value: m.suggestedUnitCost?.amount || "", size: 8, "aria-label": `Unit cost for ${m.orderName} ${m.sku}` });
    const message = h("span", { class: "field-error", "aria-live": "polite" });
    const accept = h("button", { type: "submit", class: "primary" }, m.suggestedUnitCost ? "Accept" : "Save");
    const form = h("form", { class: "row-form", onsubmit: submit }, h("div", { class: "field", dataset: { field: "unitCost" } }, cost, message), accept);
    async function submit(e) {
      e.preventDefault();
      accept.disabled = true;
      try {
        const { resolveMissingCost: r } = await gql(
          `mutation($input: ResolveMissingCostInput!) { resolveMissingCost(input: $input) { orders { id missingCosts } userErrors { field code message } } }`,
          { input: { orderId: m.orderId, sku: m.sku, unitCost: cost.value.trim(), idempotencyKey: idempotencyKey() } },
        );
        message.replaceChildren();
        if (r.userErrors.length) {
          message.textContent = r.userErrors.map((x) => x.message).join(" ");
          cost.setAttribute("aria-invalid", "true");
        } else reload();
      } catch (err) {
        message.textContent = err.message;
      } finally {
        accept.disabled = false;
      }
    }
    return h(
      "tr",
      { dataset: { order: m.orderName, sku: m.sku || "" } },
      h("td", {}, link(`#/order?id=${encodeURIComponent(m.orderId)}`, m.orderName)),
      h("td", {}, m.sku || "—"),
      h("td", { class: "num" }, String(m.quantity)),
      h("td", {}, date(m.date)),
      h("td", {}, m.channel),
      h("td", { class: "num" }, money(m.suggestedUnitCost)),
      h("td", {}, canEdit ? form : "—"),
    );
  });
  return section(
    `Missing costs (${missing.totalCount})`,
    h("p", {}, "These order lines posted COGS at 0 for want of a unit cost. The suggestion is the product's current average cost: accept it, or type the right cost."),
    table(["Order", "SKU", "Units", "Date", "Channel", "Suggested", "Unit cost"], rows, { class: "missing-costs" }),
  );
}

function productsSection(products) {
  const rows = products.nodes.map((p) =>
    h("tr", {}, h("td", {}, p.sku), h("td", {}, p.title), h("td", { class: "num" }, String(p.onHand)), h("td", { class: "num" }, money(p.averageCost)), h("td", { class: "num" }, money(p.inventoryValue))),
  );
  return section(`Products (${products.totalCount})`, table(["SKU", "Title", "On hand", "Average cost", "Inventory value"], rows, { class: "products" }));
}

function storeAndChannel() {
  const store = select(viewer.stores.map((s) => [s.id, s.name]), viewer.stores[0]?.id);
  const channel = h("input", { type: "text", value: "web", required: true, list: "channels" });
  return [field("Store", store, "storeId"), field("Sales channel", channel, "channel", "As orders carry it, e.g. web, pos, tiktok, amazon"), store, channel];
}

function restockForms(reload) {
  const month = isoDate(new Date()).slice(0, 7);
  // 1. Total restock value per channel.
  const [sf1, cf1, store1, channel1] = storeAndChannel();
  const period = select([["MONTH", "Month"], ["DAY", "Day"], ["RANGE", "Date range"]], "MONTH");
  const day = h("input", { type: "date", value: isoDate(new Date()), required: true });
  const end = h("input", { type: "date" });
  const amount = h("input", { type: "text", inputmode: "decimal", placeholder: "-120.00", required: true });
  const endField = field("End date", end, "endDate");
  endField.hidden = true;
  period.addEventListener("change", () => (endField.hidden = period.value !== "RANGE"));
  const f1 = h("form", { class: "card", onsubmit: (e) => send(e, f1, "reportChannelRestock", "ReportChannelRestockInput", () => ({
    storeId: store1.value, channel: channel1.value.trim(), period: period.value, date: day.value, endDate: period.value === "RANGE" ? end.value || null : null, amount: amount.value.trim(),
  })) },
    h("h3", {}, "1. Total restock value per channel"),
    h("p", { class: "hint" }, "COGS for a period; a restock is a negative amount (it moves value back into inventory)."),
    h("div", { class: "row-form" }, sf1, cf1, field("Period", period, "period"), field("Date", day, "date"), endField, field("Amount", amount, "amount")),
    formErrors(), h("button", { class: "primary" }, "Save"), h("span", { class: "saved", role: "status" }));
  // 2. Units restocked for one SKU in a month.
  const [sf2, cf2, store2, channel2] = storeAndChannel();
  const sku = h("input", { type: "text", required: true });
  const m2 = h("input", { type: "month", value: month, required: true });
  const units = h("input", { type: "number", min: "0", step: "1", required: true });
  const f2 = h("form", { class: "card", onsubmit: (e) => send(e, f2, "setSkuRestocks", "SetSkuRestocksInput", () => ({
    storeId: store2.value, channel: channel2.value.trim(), sku: sku.value.trim(), month: m2.value, units: Number.parseInt(units.value, 10),
  })) },
    h("h3", {}, "2. Units restocked for a SKU"),
    h("p", { class: "hint" }, "Replaces the units restocked for this SKU, channel and month."),
    h("div", { class: "row-form" }, sf2, cf2, field("SKU", sku, "sku"), field("Month", m2, "month"), field("Units restocked", units, "units")),
    formErrors(), h("button", { class: "primary" }, "Save"), h("span", { class: "saved", role: "status" }));
  // 3. Bulk: rows typed in, or a CSV file.
  const [sf3, cf3, store3, channel3] = storeAndChannel();
  const mode = h("fieldset", { class: "mode" }, h("legend", {}, "Method"),
    h("label", { class: "choice" }, h("input", { type: "radio", name: "mode", value: "ADD_ON_TOP", checked: true }), h("span", {}, h("strong", {}, "Add on top"), " — adds to what is recorded (choose this when only adding restocks)")),
    h("label", { class: "choice" }, h("input", { type: "radio", name: "mode", value: "REPLACE" }), h("span", {}, h("strong", {}, "Replace"), " — replaces the records of each SKU in the month")));
  const modeValue = () => mode.querySelector("input:checked").value;
  const rowsText = h("textarea", { rows: 4, placeholder: "sku,month,units\nMUG-BLUE,2026-11,2" });
  const file = h("input", { type: "file", accept: ".csv,text/csv" });
  const f3 = h("form", { class: "card bulk-restocks", onsubmit: async (e) => {
    e.preventDefault();
    if (file.files.length) return upload(f3, { storeId: store3.value, channel: channel3.value.trim(), mode: modeValue(), file: null, idempotencyKey: idempotencyKey() }, file.files[0], reload);
    const rows = [];
    const lines = rowsText.value.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
    for (const [i, line] of lines.entries()) {
      if (i === 0 && /^sku\s*,/i.test(line)) continue;
      const [s, mo, u] = line.split(",").map((x) => x.trim());
      rows.push({ sku: s || "", month: mo || "", units: Number.parseInt(u, 10) });
      if (!Number.isInteger(rows.at(-1).units)) return showUserErrors(f3, [{ field: "input.rows", message: `Line ${i + 1}: units must be a whole number` }]);
    }
    await send(e, f3, "bulkEditRestocks", "BulkEditRestocksInput", () => ({ storeId: store3.value, channel: channel3.value.trim(), mode: modeValue(), rows }), reload);
  } },
    h("h3", {}, "3. Bulk unit edit"),
    h("p", { class: "hint" }, "Type rows (sku,month,units) or import a CSV file with the header sku,month,units[,unit_cost]. All rows are saved, or none: bad lines are named below."),
    h("div", { class: "row-form" }, sf3, cf3), mode,
    field("Rows", rowsText, "rows"), field("Or a CSV file", file, "file"),
    formErrors(), h("button", { class: "primary" }, "Save"), h("span", { class: "saved", role: "status" }));
  return section("Report restocks", h("p", {}, "Refunds are synced; restocks of channels that do not report them (Amazon FBM, TikTok FBM and FBT) are reported here, in one of three ways."), h("div", { class: "grid2" }, f1, f2), f3);
}

async function send(event, form, mutation, type, input, reload) {
  event.preventDefault();
  const button = form.querySelector("button.primary");
  button.disabled = true;
  try {
    const data = await gql(`mutation($input: ${type}!) { ${mutation}(input: $input) { saved userErrors { field code message } } }`, { input: { ...input(), idempotencyKey: idempotencyKey() } });
    done(form, data[mutation], reload);
  } catch (err) {
    showUserErrors(form, [{ field: null, message: err.message }]);
  } finally {
    button.disabled = false;
  }
}

async function upload(form, input, fileObj, reload) {
  const button = form.querySelector("button.primary");
  button.disabled = true;
  try {
    const data = await gqlUpload(
      `mutation($input: ImportRestocksCsvInput!) { importRestocksCsv(input: $input) { saved userErrors { field code message } } }`,
      { input }, "variables.input.file", fileObj);
    done(form, data.importRestocksCsv, reload);
  } catch (err) {
    showUserErrors(form, [{ field: null, message: err.message }]);
  } finally {
    button.disabled = false;
  }
}

function done(form, payload, reload) {
  const ok = showUserErrors(form, payload.userErrors);
  form.querySelector(".saved").textContent = ok ? `Saved ${payload.saved} record(s).` : "Nothing was saved.";
  if (ok && reload) setTimeout(reload, 800);
}

function restockList(restocks) {
  const stores = new Map(viewer.stores.map((s) => [s.id, s.name]));
  const rows = restocks.map((r) => h("tr", {}, h("td", {}, stores.get(r.storeId) || r.storeId), h("td", {}, r.channel), h("td", {}, r.kind), h("td", {}, `${r.periodStart} – ${r.periodEnd}`), h("td", {}, r.sku || "—"), h("td", { class: "num" }, r.units ?? "—"), h("td", { class: "num" }, money(r.amount))));
  return section("Restocks reported", rows.length ? table(["Store", "Channel", "Kind", "Period", "SKU", "Units", "COGS"], rows, { class: "restocks" }) : h("p", {}, "None yet."));
}

function cogsSection() {
  const today = new Date();
  const from = h("input", { type: "date", value: isoDate(new Date(today.getFullYear(), today.getMonth() - 1, 1)) });
  const to = h("input", { type: "date", value: isoDate(today) });
  const payout = h("input", { type: "text", placeholder: "optional" });
  const out = h("div", { "aria-live": "polite" });
  const form = h("form", { class: "row-form", onsubmit: async (e) => {
    e.preventDefault();
    try {
      const args = payout.value.trim() ? { payoutId: payout.value.trim() } : { from: from.value || null, to: to.value || null };
      const { cogsReport: r } = await gql(`query($from: Date, $to: Date, $payoutId: String) { cogsReport(from: $from, to: $to, payoutId: $payoutId) { csvUrl xlsxUrl lines missingLines totalCost ${M} } }`, args);
      const name = `cogs-${args.payoutId || `${args.from}-${args.to}`}`;
      clear(out,
        h("p", {}, `${r.lines} line(s), ${r.missingLines} missing a cost, total COGS ${money(r.totalCost)}.`),
        h("div", { class: "downloads" },
          h("button", { type: "button", class: "secondary", onclick: () => download(r.csvUrl, `${name}.csv`).catch((x) => out.append(notice("error", x.message))) }, "Download CSV"),
          h("button", { type: "button", class: "secondary", onclick: () => download(r.xlsxUrl, `${name}.xlsx`).catch((x) => out.append(notice("error", x.message))) }, "Download XLSX")));
    } catch (err) {
      clear(out, notice("error", err.message));
    }
  } }, field("From", from, "from"), field("To", to, "to"), field("Payout id", payout, "payoutId", "Instead of dates: the COGS of one payout"), h("button", { class: "primary" }, "Show"));
  return section("COGS report", h("p", {}, "The cost of every order line in a period or a payout, where it came from, and whether it is missing."), form, out);
}
