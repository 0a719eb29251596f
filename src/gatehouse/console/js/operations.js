// Operations: the audit trail with filters, the access explanation rule by rule, and the
// configuration review with each finding linking to its client.
import { can, get, post } from "./api.js";
import { h, clear, field, input, select, table, formatTime, status } from "./dom.js";
import { refused, guarded, pager, PAGE_SIZE, showFieldErrors } from "./views.js";
import { READ_ROLES } from "./clients.js";

const EVENT_TYPES = [
  "token.issued", "token.refused", "user.locked_out", "user.unlocked", "apiclient.created",
  "apiclient.updated", "apiclient.deleted", "apiclient_secret.created", "apiclient_secret.updated",
  "apiclient_secret.deleted", "apiclient_assignment.saved", "apiclient_assignment.deleted",
  "security_profile_assignment.saved", "security_profile_assignment.deleted", "tokens.revoked",
  "key.rotated",
];

function toIso(local) {
  if (!local) return undefined;
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

export async function renderAudit(main, params) {
  if (!can(...READ_ROLES)) return refused(main, "Audit trail", READ_ROLES);
  const f = {
    clientID: field("Client ID", input("clientID", { value: params.get("clientID") || "" })),
    username: field("Username", input("username", { value: params.get("username") || "" })),
    EventType: field("Event type", input("EventType", { value: params.get("EventType") || "", list: "event-types" }),
      "Wildcards allowed: token.*"),
    from: field("From", input("from", { type: "datetime-local", value: params.get("from") || "" })),
    to: field("To", input("to", { type: "datetime-local", value: params.get("to") || "" })),
  };
  const form = h("form", { class: "filters", "aria-label": "Audit filters" },
    Object.values(f).map((x) => x.wrap),
    h("datalist", { id: "event-types" }, EVENT_TYPES.map((t) => h("option", { value: t }))),
    h("button", { type: "submit" }, "Filter"));
  const general = h("div", { class: "messages" });
  const results = h("div", { class: "results", id: "audit-results" });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const next = new URLSearchParams();
    for (const [k, x] of Object.entries(f)) if (x.control.value.trim()) next.set(k, x.control.value.trim());
    location.hash = `#/audit?${next}`;
  });
  clear(main, h("h1", {}, "Audit trail"), form, general, results);
  const query = {
    clientID: params.get("clientID"), username: params.get("username"), EventType: params.get("EventType"),
    from: toIso(params.get("from")), to: toIso(params.get("to")),
    sortBy: "!Time", page: params.get("page") || 1, pageSize: PAGE_SIZE,
  };
  try {
    const page = await get("/gatehouse/audit", query);
    clear(results, table("Audit events, newest first", ["Time", "Event", "Client", "Actor", "User", "Details"],
      page.Items.map((e) => [
        formatTime(e.Time), e.EventType,
        e.ClientID ? h("a", { href: `#/clients/${encodeURIComponent(e.ClientID)}` }, e.ClientID) : "",
        e.Actor.Username || e.Actor.ClientID || e.Actor.Type,
        e.User ? e.User.Username : "",
        h("code", { class: "details" }, JSON.stringify(e.Details)),
      ])), pager("audit", params, page.Meta));
  } catch (error) {
    showFieldErrors({ from: f.from, to: f.to }, general, error);
  }
  main.dataset.ready = "audit";
}

export async function renderExplain(main) {
  if (!can(...READ_ROLES)) return refused(main, "Explain access", READ_ROLES);
  const f = {
    ClientID: field("Client ID", input("ClientID", { required: true })),
    Username: field("Username", input("Username"), "Leave empty for client credentials."),
    Scope: field("Scope", input("Scope"), "Roles requested, separated by spaces. Empty: all."),
    GrantType: field("Grant type", select("GrantType", [["", "Automatic"], ["password", "password"],
      ["client_credentials", "client_credentials"], ["refresh_token", "refresh_token"]])),
  };
  const general = h("div", { class: "messages" });
  const result = h("div", { id: "explain-result", "aria-live": "polite" });
  const form = h("form", { class: "filters", "aria-label": "Explain access" },
    Object.values(f).map((x) => x.wrap), h("button", { type: "submit" }, "Explain"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = {};
    for (const [k, x] of Object.entries(f)) if (x.control.value.trim()) body[k] = x.control.value.trim();
    try {
      showFieldErrors(f, general, null);
      clear(general);
      renderExplanation(result, await post("/gatehouse/explain", body));
    } catch (error) {
      clear(result);
      showFieldErrors(f, general, error);
    }
  });
  clear(main, h("h1", {}, "Explain access"),
    h("p", {}, "Would a token be issued for this user through this client, and why not?"),
    form, general, result);
  main.dataset.ready = "explain";
}

/** [class, word]: a rule passed, failed, or was not reached (the server says "not checked"). */
function checkState(c) {
  if (c.Passed) return ["pass", "Passed"];
  if (!c.Decisive && /^not checked/i.test(c.Detail || "")) return ["skip", "Not checked"];
  return ["fail", "Failed"];
}

function renderExplanation(out, x) {
  clear(out,
    h("h2", {}, x.WouldIssue ? "A token would be issued" : "No token would be issued"),
    h("p", {}, `Client ${x.ClientID}, user ${x.Username || "(none)"}, grant ${x.GrantType}.`),
    h("ol", { class: "checks" }, x.Checks.map((c) => h("li", { class: checkState(c)[0] },
      h("strong", {}, `${checkState(c)[1]}: `), c.Rule,
      c.Decisive ? h("span", { class: "badge" }, "decisive") : null,
      h("div", { class: "detail" }, c.Detail, c.ErrorCode ? ` (${c.ErrorCode})` : "")))),
    h("h3", {}, "Roles"),
    h("p", {}, `Granted: ${x.Roles.Granted.join(", ") || "none"}`),
    x.Roles.Dropped.length ? h("p", {}, `Dropped: ${x.Roles.Dropped.map((d) => `${d.Role} (${d.Reason})`).join(", ")}`) : null,
    x.Roles.MissingMinimum.length ? h("p", {}, `Missing minimum: ${x.Roles.MissingMinimum.join(", ")}`) : null);
}

export async function renderReview(main) {
  if (!can(...READ_ROLES)) return refused(main, "Configuration review", READ_ROLES);
  const out = h("div", { id: "review-results" });
  clear(main, h("h1", {}, "Configuration review"), out);
  await guarded(out, async () => {
    const { Items } = await get("/gatehouse/review");
    if (!Items.length) {
      clear(out, status("ok", "No risky client configuration found."));
      return;
    }
    clear(out, h("ul", { class: "findings" }, Items.map((x) => h("li", { class: `sev-${x.Severity}` },
      h("p", {}, h("span", { class: "badge" }, x.Severity), " ",
        h("a", { href: `#/clients/${encodeURIComponent(x.ClientID)}` }, x.AppName || x.ClientID),
        ` · ${x.Risk}`),
      h("p", {}, x.Reason), h("p", { class: "hint" }, `Fix: ${x.Fix}`)))));
  });
  main.dataset.ready = "review";
}
