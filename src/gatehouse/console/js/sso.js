// Single sign-on: OpenIdConnect configs (/v1/openidconnects) and the integration events they
// call (/v1/integrationEvents): list, create, edit, delete, and each config's login URL.
import { can, get, post, patch, del } from "./api.js";
import { h, clear, button, status, table } from "./dom.js";
import { refused, guarded, errorLine, confirmButton } from "./views.js";
import { CONFIG_FIELDS, EVENT_FIELDS, refillPickers, resourceForm } from "./sso_forms.js";

export const SSO_ROLES = ["OpenIDConnectReader", "OpenIDConnectAdmin"];
const EVENT_ROLES = ["IntegrationEventReader", "IntegrationEventAdmin"];
const CONFIGS = "/v1/openidconnects";
const EVENTS = "/v1/integrationEvents";
const enc = encodeURIComponent;

/** The URL users open to sign in through a config (``/ocrplogin``, on this server). */
export function loginUrl(config) {
  return `${location.origin}/ocrplogin?id=${enc(config.ID)}&cid=${enc(config.OrderCloudApiClientID)}`;
}

function copyLogin(config) {
  const said = h("span", { class: "hint", role: "status" });
  const url = loginUrl(config);
  return h("span", { class: "login-url" }, h("code", {}, url), " ",
    button("Copy", async () => {
      try { await navigator.clipboard.writeText(url); said.textContent = "Copied."; }
      catch { said.textContent = "Copy failed: select the URL and press Ctrl+C."; }
    }, { "aria-label": `Copy login URL of ${config.ID}` }), said);
}

/** Picker options: the marketplace's clients and integration events, or null (text input)
 * when the user may not list them. */
async function choices() {
  const found = {};
  if (can("ApiClientReader", "ApiClientAdmin")) {
    const page = await get("/v1/apiclients", { pageSize: 100, sortBy: "AppName" });
    found.client = page.Items.map((c) => [c.ID, `${c.AppName || "(no name)"} (${c.ID})`]);
  }
  if (can(...EVENT_ROLES)) {
    const page = await get(EVENTS, { pageSize: 100, sortBy: "ID" });
    found.event = page.Items.filter((e) => e.EventType === "OpenIDConnect")
      .map((e) => [e.ID, `${e.Name} (${e.ID})`]);
  }
  return found;
}

export async function renderSso(main) {
  if (!can(...SSO_ROLES)) return refused(main, "Single sign-on", SSO_ROLES);
  const admin = can("OpenIDConnectAdmin");
  const out = h("div", { class: "messages", id: "sso-result" });
  const configs = h("div", { id: "sso-configs" });
  const events = h("div", { id: "sso-events" });
  const configForm = h("div", {});
  const eventForm = h("div", {});
  const refresh = async () => {
    await listConfigs(configs, out, admin, refresh);
    await listEvents(events, out, refresh);
    // The pickers list the events and clients as they are now.
    if (admin) await newConfigForm(configForm, out, refresh);
  };
  clear(main, h("h1", {}, "Single sign-on"),
    h("p", {}, "Users sign in through their organisation's identity provider (OpenID Connect). "
      + "Give them a config's login URL."), out,
    h("section", { "aria-labelledby": "configs-title" },
      h("h2", { id: "configs-title" }, "OpenID Connect configs"), configs, configForm),
    h("section", { "aria-labelledby": "events-title" },
      h("h2", { id: "events-title" }, "Integration events"), events, eventForm));
  if (can("IntegrationEventAdmin")) clear(eventForm, newEventForm(out, refresh));
  await refresh();
  main.dataset.ready = "sso";
}

async function listConfigs(box, out, admin, refresh) {
  await guarded(box, async () => {
    const page = await get(CONFIGS, { pageSize: 100, sortBy: "ID" });
    clear(box, table("OpenID Connect configs", ["ID", "API client", "Integration event", "Login URL", ""],
      page.Items.map((c) => [
        h("a", { href: `#/sso/configs/${enc(c.ID)}` }, c.ID),
        h("code", {}, c.OrderCloudApiClientID),
        c.IntegrationEventID ? `${c.IntegrationEventName || ""} (${c.IntegrationEventID})` : "none (legacy)",
        copyLogin(c),
        admin ? deleteButton(`config ${c.ID}`, `${CONFIGS}/${enc(c.ID)}`, out, refresh) : "",
      ])));
  });
}

async function listEvents(box, out, refresh) {
  if (!can(...EVENT_ROLES)) {
    clear(box, h("div", { class: "refused", role: "alert" },
      h("p", {}, `Refused: listing integration events needs one of the roles ${EVENT_ROLES.join(", ")} (or FullAccess).`)));
    return;
  }
  const admin = can("IntegrationEventAdmin");
  await guarded(box, async () => {
    const page = await get(EVENTS, { pageSize: 100, sortBy: "ID" });
    clear(box, table("Integration events", ["ID", "Name", "Type", "Implementation URL", "Elevated roles", ""],
      page.Items.map((e) => [
        h("a", { href: `#/sso/events/${enc(e.ID)}` }, e.ID), e.Name, e.EventType,
        h("code", {}, e.CustomImplementationUrl), (e.ElevatedRoles || []).join(", "),
        admin ? deleteButton(`event ${e.ID}`, `${EVENTS}/${enc(e.ID)}`, out, refresh) : "",
      ])));
  });
}

function deleteButton(what, path, out, refresh) {
  return confirmButton(`Delete ${what}`, "Really delete", async () => {
    try {
      await del(path);
      await refresh();
      clear(out, status("ok", `Deleted ${what}.`));
    } catch (error) {
      clear(out, errorLine(error));
    }
  }, { class: "danger" });
}

async function newConfigForm(box, out, refresh) {
  const picks = await guarded(box, choices);
  if (!picks) return;
  const existing = box.querySelector("form");
  if (existing) {
    refillPickers(existing, CONFIG_FIELDS, picks);
    return;
  }
  clear(box, h("h3", {}, "New OpenID Connect config"), resourceForm({
    label: "New OpenID Connect config", specs: CONFIG_FIELDS, record: null, choices: picks,
    submitText: "Create config",
    save: async (body) => {
      const made = await post(CONFIGS, body);
      await refresh();
      clear(out, status("ok", `Config ${made.ID} created.`));
    },
  }));
}

function newEventForm(out, refresh) {
  return h("div", {}, h("h3", {}, "New integration event"), resourceForm({
    label: "New integration event", specs: EVENT_FIELDS, record: null,
    submitText: "Create event",
    save: async (body) => {
      const made = await post(EVENTS, body);
      await refresh();
      clear(out, status("ok", `Integration event ${made.ID} created.`));
    },
  }));
}

/** One config: its login URL and the edit form (disabled without OpenIDConnectAdmin). */
export async function renderSsoConfig(main, params, rawID) {
  if (!can(...SSO_ROLES)) return refused(main, "OpenID Connect config", SSO_ROLES);
  const id = decodeURIComponent(rawID);
  const config = await guarded(main, () => get(`${CONFIGS}/${enc(id)}`));
  if (!config) return;
  const admin = can("OpenIDConnectAdmin");
  const picks = admin ? await guarded(main, choices) : {};
  if (!picks) return;
  clear(main, h("p", {}, h("a", { href: "#/sso" }, "← Single sign-on")),
    h("h1", {}, `OpenID Connect config ${config.ID}`),
    h("p", {}, "Login URL: ", copyLogin(config)),
    resourceForm({
      label: "Edit OpenID Connect config", specs: CONFIG_FIELDS, record: config, choices: picks,
      submitText: "Save changes", disabled: !admin,
      save: async (body) => {
        const saved = await patch(`${CONFIGS}/${enc(id)}`, body);
        if (saved.ID !== id) location.hash = `#/sso/configs/${enc(saved.ID)}`;
      },
    }));
  main.dataset.ready = "sso-config";
}

/** One integration event: the edit form (disabled without IntegrationEventAdmin). */
export async function renderSsoEvent(main, params, rawID) {
  if (!can(...EVENT_ROLES)) return refused(main, "Integration event", EVENT_ROLES);
  const id = decodeURIComponent(rawID);
  const event = await guarded(main, () => get(`${EVENTS}/${enc(id)}`));
  if (!event) return;
  clear(main, h("p", {}, h("a", { href: "#/sso" }, "← Single sign-on")),
    h("h1", {}, `Integration event ${event.ID}`),
    resourceForm({
      label: "Edit integration event", specs: EVENT_FIELDS, record: event,
      submitText: "Save changes", disabled: !can("IntegrationEventAdmin"),
      save: async (body) => {
        const saved = await patch(`${EVENTS}/${enc(id)}`, body);
        if (saved.ID !== id) location.hash = `#/sso/events/${enc(saved.ID)}`;
      },
    }));
  main.dataset.ready = "sso-event";
}
