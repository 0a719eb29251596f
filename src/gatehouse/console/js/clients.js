// API clients: the list (search, sort, paging) and the create / edit form with every field.
import { can, get, post, patch } from "./api.js";
import { h, clear, field, input, table } from "./dom.js";
import { refused, guarded, listControls, listQuery, pager, showFieldErrors } from "./views.js";

export const READ_ROLES = ["ApiClientReader", "ApiClientAdmin"];
const SORTS = [
  ["AppName", "App name (A–Z)"], ["!AppName", "App name (Z–A)"], ["ID", "ID"], ["!ID", "ID (descending)"],
];

export async function renderClients(main, params) {
  if (!can(...READ_ROLES)) return refused(main, "API clients", READ_ROLES);
  const results = h("div", { class: "results" });
  clear(main,
    h("div", { class: "heading" }, h("h1", {}, "API clients"),
      can("ApiClientAdmin") ? h("a", { class: "button", href: "#/clients/new" }, "New API client") : null),
    listControls("clients", params, SORTS), results);
  await guarded(results, async () => {
    const page = await get("/v1/apiclients", listQuery(params, { sortBy: params.get("sortBy") || "AppName" }));
    clear(results,
      table("API clients", ["App name", "Client ID", "Active", "Users allowed", "Token minutes"],
        page.Items.map((c) => [
          h("a", { href: `#/clients/${encodeURIComponent(c.ID)}` }, c.AppName || "(no name)"),
          h("code", {}, c.ID),
          c.Active ? "Active" : "Inactive",
          allowed(c),
          String(c.AccessTokenDuration),
        ])),
      pager("clients", params, page.Meta));
  });
  main.dataset.ready = "clients";
}

function allowed(c) {
  const who = [];
  if (c.AllowSeller) who.push("seller");
  if (c.AllowAnyBuyer) who.push("any buyer");
  else if (c.AssignedBuyerCount) who.push(`${c.AssignedBuyerCount} buyer(s)`);
  if (c.AllowAnySupplier) who.push("any supplier");
  else if (c.AssignedSupplierCount) who.push(`${c.AssignedSupplierCount} supplier(s)`);
  if (c.IsAnonBuyer) who.push("anonymous");
  return who.join(", ") || "nobody";
}

export async function renderClientNew(main) {
  if (!can("ApiClientAdmin")) return refused(main, "New API client", ["ApiClientAdmin"]);
  clear(main, h("h1", {}, "New API client"),
    clientForm(null, async (body) => {
      const created = await post("/v1/apiclients", body);
      location.hash = `#/clients/${encodeURIComponent(created.ID)}?created=1`;
    }));
  main.dataset.ready = "client-new";
}

// [wire name, label, kind, hint]
const FIELDS = [
  ["AppName", "App name", "text"],
  ["Active", "Active", "bool"],
  ["AccessTokenDuration", "Access token duration (minutes)", "int", "10 to 600."],
  ["RefreshTokenDuration", "Refresh token duration (minutes)", "int", "0: no refresh tokens."],
  ["AnonymousTokenDuration", "Anonymous token duration (minutes)", "int"],
  ["DefaultContextUserName", "Default context username", "text", "Needed for client credentials and anonymous shopping."],
  ["AllowSeller", "Allow seller (admin) users", "bool"],
  ["AllowAnyBuyer", "Allow any buyer", "bool"],
  ["AllowAnySupplier", "Allow any supplier", "bool"],
  ["IsAnonBuyer", "Anonymous buyer client", "bool"],
  ["ClientSecret", "Legacy client secret", "text", "Prefer named secrets below; this one is returned on every read."],
  ["MinimumRequiredRoles", "Minimum required roles", "list", "Separated by spaces or commas."],
  ["MaximumGrantedRoles", "Maximum granted roles", "list", "Empty: no cap."],
  ["MinimumRequiredCustomRoles", "Minimum required custom roles", "list"],
  ["MaximumGrantedCustomRoles", "Maximum granted custom roles", "list"],
  ["OrderCheckoutIntegrationEventID", "Order checkout integration event ID", "text"],
  ["OrderReturnIntegrationEventID", "Order return integration event ID", "text"],
  ["AddToCartIntegrationEventID", "Add to cart integration event ID", "text"],
  ["xp", "Extended properties (xp, JSON)", "json"],
];

function control(name, kind, value) {
  if (kind === "bool") return input(name, { type: "checkbox", checked: Boolean(value) });
  if (kind === "int") return input(name, { type: "number", inputmode: "numeric", value: value ?? "" });
  if (kind === "list") return input(name, { value: (value || []).join(" ") });
  if (kind === "json") {
    return h("textarea", { name, rows: 3 }, value === null || value === undefined ? "" : JSON.stringify(value, null, 2));
  }
  return input(name, { value: value ?? "" });
}

function readValue(kind, el, original) {
  if (kind === "bool") return el.checked;
  const raw = el.value.trim();
  if (kind === "int") return raw === "" ? undefined : Number(raw);
  if (kind === "list") return raw === "" ? [] : raw.split(/[\s,]+/);
  if (kind === "json") {
    if (raw === "") return original === undefined ? undefined : null;
    return JSON.parse(raw);
  }
  return raw === "" ? (original === undefined ? undefined : null) : raw;
}

/** The create / edit form; ``client`` null for a new one. Server errors land by the field. */
export function clientForm(client, save, { disabled = false } = {}) {
  const fields = {};
  const form = h("form", { class: "client-form", "aria-label": client ? "Edit API client" : "New API client" });
  const general = h("div", { class: "messages" });
  const boxes = h("fieldset", { class: "flags" }, h("legend", {}, "Who may sign in"));
  for (const [name, label, kind, hint] of FIELDS) {
    const initial = client ? client[name] : (name === "Active" ? true : (name === "AccessTokenDuration" ? 60 : undefined));
    const f = field(label, control(name, kind, initial), hint);
    f.control.disabled = disabled;
    fields[name] = f;
    (kind === "bool" && name !== "Active" ? boxes : form).append(f.wrap);
    if (name === "DefaultContextUserName") form.append(boxes);
  }
  const submit = h("button", { type: "submit", disabled }, client ? "Save changes" : "Create API client");
  form.append(general, submit);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = {};
    try {
      for (const [name, , kind] of FIELDS) {
        const value = readValue(kind, fields[name].control, client ? client[name] : undefined);
        if (value !== undefined) body[name] = value;
      }
    } catch {
      fields.xp.error.textContent = "Not valid JSON.";
      fields.xp.control.focus();
      return;
    }
    submit.disabled = true;
    try {
      await save(body);
      clear(general, h("p", { class: "status ok", role: "status" }, "Saved."));
    } catch (error) {
      showFieldErrors(fields, general, error);
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

export { patch };
