// The OpenIdConnect config and IntegrationEvent forms: every field of each resource, server
// errors next to the field they name. Secrets the server does not return (or that should not
// sit on screen) are password inputs that are left out of the request when empty.
import { h, clear, field, input, select, status } from "./dom.js";
import { showFieldErrors } from "./views.js";

export const EVENT_TYPES = ["OpenIDConnect", "OrderCheckout", "OrderReturn", "AddToCart"];

// [wire name, label, kind, hint]; kind "client" / "event" are pickers filled by the page.
export const CONFIG_FIELDS = [
  ["ID", "Config ID", "text", "Letters, digits, - and _. Empty on create: Gatehouse makes one."],
  ["OrderCloudApiClientID", "API client", "client", "The client users sign in to."],
  ["ConnectClientID", "IdP client ID", "text", "The client ID registered at the identity provider."],
  ["ConnectClientSecret", "IdP client secret", "secret"],
  ["AppStartUrl", "App start URL", "text", "Where the user lands after signing in; {0} in it becomes the token."],
  ["AuthorizationEndpoint", "Authorization endpoint", "text", "The IdP's authorize URL."],
  ["TokenEndpoint", "Token endpoint", "text", "The IdP's token URL."],
  ["UrlEncoded", "Send the code exchange form-encoded (client ID and secret in the form)", "bool"],
  ["IntegrationEventID", "Integration event", "event", "Finds or creates the user (EventType OpenIDConnect)."],
  ["CallSyncUserIntegrationEvent", "Call /syncuser on every sign-in of a known user", "bool"],
  ["AdditionalIdpScopes", "Additional IdP scopes", "list", "Separated by spaces, e.g. offline_access."],
  ["CustomErrorUrl", "Custom error URL", "text", "Optional; {0} is the message."],
];

export const EVENT_FIELDS = [
  ["ID", "Event ID", "text", "Letters, digits, - and _. Empty on create: Gatehouse makes one."],
  ["Name", "Event name", "text"],
  ["EventType", "Event type", "type", "Cannot change once created."],
  ["CustomImplementationUrl", "Custom implementation URL", "text", "Your service: Gatehouse posts to /createuser and /syncuser under it."],
  ["HashKey", "Hash key", "text", "Signs each payload (X-oc-hash header); returned as set."],
  ["ElevatedRoles", "Elevated roles", "list", "Roles of the short token sent to your service, separated by spaces."],
  ["CustomAuthHeaderName", "Custom auth header name", "text", "Optional header sent to your service."],
  ["CustomAuthHeaderValue", "Custom auth header value", "secret"],
  ["ConfigData", "Config data (JSON)", "json", "Passed to your service as is."],
];

function control(name, kind, value, choices) {
  if (kind === "bool") return input(name, { type: "checkbox", checked: Boolean(value) });
  if (kind === "list") return input(name, { value: (value || []).join(" ") });
  if (kind === "secret") return input(name, { type: "password", autocomplete: "new-password" });
  if (kind === "type") return select(name, EVENT_TYPES.map((t) => [t, t]), value || "OpenIDConnect");
  if (kind === "json") {
    return h("textarea", { name, rows: 3 }, value === null || value === undefined ? "" : JSON.stringify(value, null, 2));
  }
  if ((kind === "client" || kind === "event") && choices) {
    const options = pickerOptions(kind, choices, value);
    return select(name, options, value || options[0][0]);
  }
  return input(name, { value: value ?? "" });
}

function pickerOptions(kind, choices, value) {
  const options = kind === "event" ? [["", "(none: legacy email match)"], ...choices] : [...choices];
  if (value && !options.some(([v]) => v === value)) options.push([value, value]);
  return options;
}

/** Refill a form's pickers with ``choices`` as they are now, keeping what is selected (the
 * form is not rebuilt, so nothing typed into it is lost). */
export function refillPickers(form, specs, choices) {
  for (const [name, , kind] of specs) {
    const el = form.elements.namedItem(name);
    if (!choices[kind] || !(el instanceof HTMLSelectElement) || kind === "type") continue;
    const keep = el.value;
    el.replaceChildren(...pickerOptions(kind, choices[kind], keep)
      .map(([value, text]) => h("option", { value, selected: value === keep }, text)));
  }
}

function secretHint(name, record) {
  if (name === "CustomAuthHeaderValue") {
    return record ? "Write-only: never returned. Empty keeps the current value." : "Optional; write-only.";
  }
  if (!record) return "Required.";
  return record.ConnectClientSecret ? "Set. Empty keeps the current secret." : "Not set.";
}

/** The request body, or a thrown {field, message} for a value the browser can judge. */
function readBody(specs, fields, record) {
  const body = {};
  for (const [name, , kind] of specs) {
    const el = fields[name].control;
    if (el.disabled) continue;
    if (kind === "bool") { body[name] = el.checked; continue; }
    const raw = el.value.trim();
    if (kind === "secret") { if (raw) body[name] = raw; continue; }
    if (kind === "list") { body[name] = raw ? raw.split(/[\s,]+/) : []; continue; }
    if (kind === "json") {
      if (raw === "") { if (record) body[name] = null; continue; }
      try { body[name] = JSON.parse(raw); } catch { throw { field: name, message: "Not valid JSON." }; }
      continue;
    }
    if (raw !== "") body[name] = raw;
    else if (record && record[name] !== undefined && name !== "ID") body[name] = null;
  }
  return body;
}

/** A create / edit form (``record`` null to create). ``choices`` holds the pickers' options
 * (``client``, ``event``), or null when the user may not list them (then a text input). */
export function resourceForm({ label, specs, record, choices = {}, submitText, save, disabled }) {
  const fields = {};
  const form = h("form", { class: "client-form", "aria-label": label });
  const general = h("div", { class: "messages" });
  for (const [name, text, kind, hint] of specs) {
    const value = record ? record[name] : undefined;
    const help = kind === "secret" ? secretHint(name, record) : hint;
    const f = field(text, control(name, kind, value, choices[kind]), help);
    f.control.disabled = disabled || (kind === "type" && Boolean(record));
    fields[name] = f;
    form.append(f.wrap);
  }
  const submit = h("button", { type: "submit", disabled }, submitText);
  form.append(general, submit);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    let body;
    try {
      body = readBody(specs, fields, record);
    } catch (bad) {
      fields[bad.field].error.textContent = bad.message;
      fields[bad.field].control.focus();
      return;
    }
    submit.disabled = true;
    try {
      await save(body);
      if (!record) form.reset();
      clear(general, status("ok", "Saved."));
    } catch (error) {
      showFieldErrors(fields, general, error);
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}
