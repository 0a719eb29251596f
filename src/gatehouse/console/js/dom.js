// Building DOM from nodes, never from HTML strings: every value from the server becomes a text node, never
// markup, so nothing it holds can run as script.

/** h("a", {href: "#/x", class: "link", onclick: fn}, "text", child, [more]) */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "class") el.className = value;
    else if (key === "for") el.htmlFor = value;
    else if (key === "value") el.value = value;
    else if (key === "checked") el.checked = Boolean(value);
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function clear(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

let uid = 0;
/** A labelled control: {label, input, error}; the error paragraph is tied to the input. */
export function field(label, control, hint) {
  const id = control.id || `f${++uid}`;
  control.id = id;
  const error = h("p", { class: "field-error", id: `${id}-error`, "aria-live": "polite" });
  const described = [error.id];
  let hintEl = null;
  if (hint) {
    hintEl = h("p", { class: "hint", id: `${id}-hint` }, hint);
    described.push(hintEl.id);
  }
  control.setAttribute("aria-describedby", described.join(" "));
  const isBox = control.type === "checkbox";
  const labelEl = h("label", { for: id }, label);
  const wrap = h("div", { class: isBox ? "field check" : "field" },
    isBox ? [control, labelEl] : [labelEl, control], hintEl, error);
  return { wrap, control, error, label };
}

export function input(name, attrs = {}) {
  return h("input", { name, type: "text", autocomplete: "off", ...attrs });
}

export function select(name, options, selected) {
  return h("select", { name },
    options.map(([value, text]) => h("option", { value, selected: value === selected }, text)));
}

export function button(text, onclick, attrs = {}) {
  return h("button", { type: "button", onclick, ...attrs }, text);
}

/** A status line for results and refusals, announced to screen readers. */
export function status(kind, text) {
  return h("p", { class: `status ${kind}`, role: kind === "error" ? "alert" : "status" }, text);
}

export function formatTime(iso) {
  if (!iso) return "never";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : d.toLocaleString();
}

export function table(caption, headers, rows) {
  return h("div", { class: "table-wrap" },
    h("table", {},
      h("caption", {}, caption),
      h("thead", {}, h("tr", {}, headers.map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, rows.length
        ? rows.map((cells) => h("tr", {}, cells.map((c) => h("td", {}, c))))
        : h("tr", {}, h("td", { colspan: headers.length }, "Nothing to show.")))));
}
