// Small DOM functions: every text goes in as text (never as HTML).
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (k === "class") el.className = v;
    else if (k === "dataset") Object.assign(el.dataset, v);
    else if (k in el && typeof v !== "string") el[k] = v;
    else el.setAttribute(k, v === true ? "" : v);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export function table(headers, rows, attrs = {}) {
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      attrs,
      h("thead", {}, h("tr", {}, headers.map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, rows),
    ),
  );
}

export function notice(kind, ...text) {
  return h("p", { class: `notice ${kind}`, role: kind === "error" ? "alert" : "status" }, ...text);
}

export function loading() {
  return h("p", { class: "loading", role: "status" }, "Loading…");
}

// A form field: label, control, and a slot for the userError that names it.
export function field(label, control, name, hint) {
  const id = control.id || `f-${name.replace(/[^a-z0-9]/gi, "-")}-${Math.random().toString(36).slice(2, 7)}`;
  control.id = id;
  control.name = control.name || name;
  const error = h("span", { class: "field-error", dataset: { for: name }, "aria-live": "polite" });
  control.setAttribute("aria-describedby", `${id}-err`);
  error.id = `${id}-err`;
  return h(
    "div",
    { class: "field", dataset: { field: name } },
    h("label", { for: id }, label),
    control,
    hint ? h("small", { class: "hint" }, hint) : null,
    error,
  );
}

// Shows each userError next to the field it names (input.x -> data-field="x");
// errors naming no field on the page go to the form's general slot.
export function showUserErrors(form, errors) {
  for (const slot of form.querySelectorAll(".field-error")) slot.textContent = "";
  for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
  const general = form.querySelector(".form-errors");
  if (general) general.replaceChildren();
  for (const e of errors) {
    const name = (e.field || "").replace(/^input\./, "");
    const target = name && fieldSlot(form, name);
    if (target) {
      const line = /\.(\d+)$/.exec(name);
      const where = line && !/^line \d/i.test(e.message) ? `Line ${line[1]}: ` : "";
      target.slot.append(h("span", { class: "error-line" }, where + e.message));
      target.control?.setAttribute("aria-invalid", "true");
    } else if (general) {
      general.append(h("li", {}, e.field ? `${e.field}: ${e.message}` : e.message));
    }
  }
  return errors.length === 0;
}

function fieldSlot(form, name) {
  // The most specific field first: rows.3.units, then rows, ...
  const parts = name.split(".");
  for (let i = parts.length; i > 0; i--) {
    const key = parts.slice(0, i).join(".");
    const box = form.querySelector(`.field[data-field="${CSS.escape(key)}"]`);
    if (box) return { slot: box.querySelector(".field-error"), control: box.querySelector("input,select,textarea") };
  }
  return null;
}

export function formErrors() {
  return h("ul", { class: "form-errors", role: "alert" });
}

// Asks before a change: a modal dialog, answered with true or false.
export function confirmDialog(title, message, okLabel = "Confirm") {
  return new Promise((resolve) => {
    const dialog = h(
      "dialog",
      { class: "confirm", "aria-labelledby": "confirm-title" },
      h("h2", { id: "confirm-title" }, title),
      h("p", {}, message),
      h(
        "form",
        { method: "dialog", class: "actions" },
        h("button", { value: "cancel", class: "secondary" }, "Cancel"),
        h("button", { value: "ok", class: "primary", autofocus: true }, okLabel),
      ),
    );
    dialog.addEventListener("close", () => {
      resolve(dialog.returnValue === "ok");
      dialog.remove();
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}

export function select(options, value, attrs = {}) {
  return h(
    "select",
    attrs,
    options.map(([v, label]) => h("option", { value: v, selected: v === value }, label)),
  );
}

export function link(href, ...children) {
  return h("a", { href }, ...children);
}

export function section(title, ...children) {
  return h("section", { class: "card" }, h("h2", {}, title), ...children);
}
