// One API client: its state and actions (activate, revoke tokens, delete), named secrets
// (shown once, copy button, rotate with overlap), assignments, traffic and the edit form.
import { can, get, post, patch, del, session } from "./api.js";
import { h, clear, field, input, select, button, status, table, formatTime } from "./dom.js";
import { clientForm, READ_ROLES } from "./clients.js";
import { refused, guarded, errorLine, confirmButton } from "./views.js";
import { renderTraffic } from "./traffic.js";

export async function renderClient(main, params, rawID) {
  if (!can(...READ_ROLES)) return refused(main, "API client", READ_ROLES);
  const id = decodeURIComponent(rawID);
  const client = await guarded(main, () => get(`/v1/apiclients/${encodeURIComponent(id)}`));
  if (!client) return;
  const admin = can("ApiClientAdmin");
  const base = `/v1/apiclients/${encodeURIComponent(id)}`;
  const actionsOut = h("div", { class: "messages", id: "actions-result" });
  const reload = () => renderClient(main, new URLSearchParams(), rawID);
  clear(main,
    h("p", {}, h("a", { href: "#/clients" }, "← All API clients")),
    h("h1", {}, client.AppName || "(no name)"),
    h("p", {}, "Client ID ", h("code", { id: "client-id" }, client.ID), " · ",
      h("strong", { id: "client-state" }, client.Active ? "Active" : "Inactive")),
    params.get("created") ? status("ok", "API client created.") : null,
    client.ID === session().clientID ? status("info", "This console signs in through this client: "
      + "deactivating or deleting it locks the console out of this marketplace.") : null,
    admin ? h("section", { "aria-labelledby": "actions-title", class: "actions" },
      h("h2", { id: "actions-title" }, "Actions"),
      h("div", { class: "row" },
        button(client.Active ? "Deactivate" : "Activate", async () => {
          await guarded(actionsOut, async () => { await patch(base, { Active: !client.Active }); await reload(); });
        }),
        button("Revoke all tokens", async () => {
          await guarded(actionsOut, async () => {
            await del(`/gatehouse/apiclients/${encodeURIComponent(id)}/tokens`);
            clear(actionsOut, status("ok", "Every token issued through this client is revoked."));
          });
        }),
        confirmButton("Delete", "Really delete this client", async () => {
          try {
            await del(base);
            location.hash = "#/clients";
          } catch (error) {
            clear(actionsOut, errorLine(error));
          }
        }, { class: "danger" })),
      actionsOut) : null,
    section("Secrets", "secrets", (out) => renderSecrets(out, id, admin)),
    section("Traffic", "traffic", (out) => renderTraffic(out, id)),
    section("Assignments", "assignments", (out) => renderAssignments(out, id, admin)),
    h("section", { "aria-labelledby": "edit-title" },
      h("h2", { id: "edit-title" }, "Settings"),
      clientForm(client, async (body) => { await patch(base, body); }, { disabled: !admin })));
  main.dataset.ready = "client";
}

function section(title, id, fill) {
  const out = h("div", {});
  const el = h("section", { "aria-labelledby": `${id}-title`, id },
    h("h2", { id: `${id}-title` }, title), out);
  fill(out);
  return el;
}

/** A secret's value, shown this once, with a copy button. */
function revealed(value, note) {
  const box = h("input", { type: "text", readonly: true, value, class: "secret-value", id: "new-secret-value" });
  const copied = h("span", { class: "hint", role: "status" });
  return h("div", { class: "secret-once", role: "region", "aria-label": "New secret" },
    h("p", {}, h("strong", {}, "Copy this secret now: it is shown only once. "), note || ""),
    h("label", { for: box.id }, "Secret value"), box,
    button("Copy", async () => {
      box.select();
      try { await navigator.clipboard.writeText(value); copied.textContent = "Copied."; }
      catch { copied.textContent = "Selected: press Ctrl+C to copy."; }
    }),
    copied);
}

async function renderSecrets(out, id, admin) {
  const base = `/v1/apiclients/${encodeURIComponent(id)}/secrets`;
  const list = h("div", {});
  const shown = h("div", { class: "messages" });
  const refresh = () => guarded(list, async () => {
    const page = await get(base, { pageSize: 100 });
    clear(list, table("Named secrets", ["Name", "ID", "Expires", ""], page.Items.map((s) => [
      s.Name, h("code", {}, s.ID), s.Expiration ? formatTime(s.Expiration) : "never",
      admin ? confirmButton(`Delete secret ${s.Name}`, "Really delete", async () => {
        await guarded(shown, async () => { await del(`${base}/${encodeURIComponent(s.ID)}`); await refresh(); });
      }) : "",
    ])));
  });
  clear(out, shown, list);
  await refresh();
  if (!admin) return;
  const name = field("Secret name", input("secretName", { required: true }));
  const create = h("form", { class: "inline-form", "aria-label": "New secret" }, name.wrap,
    h("button", { type: "submit" }, "Create secret"));
  create.addEventListener("submit", async (event) => {
    event.preventDefault();
    await guarded(shown, async () => {
      const made = await post(base, { Name: name.control.value.trim() });
      clear(shown, revealed(made.ClientSecret, `Secret “${made.Name}”.`));
      name.control.value = "";
      await refresh();
    });
  });
  const overlap = field("Old secrets keep working for (minutes)", input("overlap", { type: "number", value: "60" }));
  const rotate = h("form", { class: "inline-form", "aria-label": "Rotate secret" }, overlap.wrap,
    h("button", { type: "submit" }, "Rotate secret"));
  rotate.addEventListener("submit", async (event) => {
    event.preventDefault();
    await guarded(shown, async () => {
      const made = await post(`/gatehouse/apiclients/${encodeURIComponent(id)}/secrets/rotate`, {
        OldSecretsExpireInMinutes: Number(overlap.control.value || 0),
      });
      clear(shown, revealed(made.Secret.ClientSecret,
        `The ${made.ReplacedSecrets} older secret(s) stop working at ${formatTime(made.OldSecretsExpire)}.`));
      await refresh();
    });
  });
  out.append(create, rotate);
}

async function renderAssignments(out, id, admin) {
  const shown = h("div", { class: "messages" });
  const list = h("div", {});
  const refresh = () => guarded(list, async () => {
    const page = await get("/v1/apiclients/assignments", { apiClientID: id, pageSize: 100 });
    clear(list, table("Assigned buyers and suppliers", ["Kind", "Company", ""], page.Items.map((a) => {
      const kind = a.BuyerID ? "buyers" : "suppliers";
      const company = a.BuyerID || a.SupplierID;
      return [kind === "buyers" ? "Buyer" : "Supplier", company, admin ? button(`Unassign ${company}`, async () => {
        await guarded(shown, async () => {
          await del(`/v1/${kind}/${encodeURIComponent(company)}/ApiClients/Assignments/${encodeURIComponent(id)}`);
          await refresh();
        });
      }) : ""];
    })));
  });
  clear(out, shown, list);
  await refresh();
  if (!admin) return;
  const kind = field("Company kind", select("kind", [["BuyerID", "Buyer"], ["SupplierID", "Supplier"]]));
  const company = field("Company ID", input("companyID", { required: true }));
  const form = h("form", { class: "inline-form", "aria-label": "Assign a company" }, kind.wrap, company.wrap,
    h("button", { type: "submit" }, "Assign"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    await guarded(shown, async () => {
      await post("/v1/apiclients/assignments", { ApiClientID: id, [kind.control.value]: company.control.value.trim() });
      clear(shown, status("ok", "Assigned."));
      await refresh();
    });
  });
  out.append(form);
}
