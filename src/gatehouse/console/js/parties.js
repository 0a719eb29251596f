// Parties: buyers and suppliers (list, create, activate), their users (create, activate and
// deactivate, unlock, revoke tokens) and user groups; the seller's admin users.
import { can, get, post, patch, del } from "./api.js";
import { h, clear, field, input, button, status, table } from "./dom.js";
import { refused, guarded, listControls, listQuery, pager, showFieldErrors } from "./views.js";

const KINDS = {
  buyers: { title: "Buyers", one: "Buyer", admin: "BuyerAdmin", reader: "BuyerReader",
    userAdmin: "BuyerUserAdmin", userReader: "BuyerUserReader",
    groupAdmin: "UserGroupAdmin", groupReader: "UserGroupReader" },
  suppliers: { title: "Suppliers", one: "Supplier", admin: "SupplierAdmin", reader: "SupplierReader",
    userAdmin: "SupplierUserAdmin", userReader: "SupplierUserReader",
    groupAdmin: "SupplierUserGroupAdmin", groupReader: "SupplierUserGroupReader" },
};
const SORTS = [["Name", "Name"], ["!Name", "Name (Z–A)"], ["ID", "ID"]];

/** A small create form posting ``fields`` to ``path``; errors go next to their field. */
function createForm(label, specs, submitText, send) {
  const fields = {};
  for (const [name, text, attrs] of specs) fields[name] = field(text, input(name, attrs || {}));
  const general = h("div", { class: "messages" });
  const form = h("form", { class: "inline-form", "aria-label": label },
    Object.values(fields).map((f) => f.wrap), h("button", { type: "submit" }, submitText), general);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = {};
    for (const [name, f] of Object.entries(fields)) {
      if (f.control.type === "checkbox") body[name] = f.control.checked;
      else if (f.control.value.trim()) body[name] = f.control.value.trim();
    }
    try {
      await send(body);
      form.reset();
      showFieldErrors(fields, general, null);
      clear(general, status("ok", "Created."));
    } catch (error) {
      showFieldErrors(fields, general, error);
    }
  });
  return form;
}

export async function renderCompanies(main, params, kind) {
  const k = KINDS[kind];
  if (!can(k.admin, k.reader)) return refused(main, k.title, [k.reader, k.admin]);
  const results = h("div", { class: "results" });
  const refresh = () => guarded(results, async () => {
    const page = await get(`/v1/${kind}`, listQuery(params));
    clear(results, table(k.title, ["Name", "ID", "Active"], page.Items.map((c) => [
      h("a", { href: `#/${kind}/${encodeURIComponent(c.ID)}` }, c.Name || c.ID), h("code", {}, c.ID),
      c.Active ? "Active" : "Inactive",
    ])), pager(kind, params, page.Meta));
  });
  clear(main, h("h1", {}, k.title), listControls(kind, params, SORTS), results,
    can(k.admin) ? h("section", { "aria-labelledby": "new-company" },
      h("h2", { id: "new-company" }, `New ${k.one.toLowerCase()}`),
      createForm(`New ${k.one.toLowerCase()}`, [["ID", "ID (optional)"], ["Name", "Name", { required: true }],
        ["Active", "Active", { type: "checkbox", checked: true }]], `Create ${k.one.toLowerCase()}`,
      async (body) => { await post(`/v1/${kind}`, body); await refresh(); })) : null);
  await refresh();
  main.dataset.ready = kind;
}

export async function renderCompany(main, params, kind, rawID) {
  const k = KINDS[kind];
  if (!can(k.admin, k.reader)) return refused(main, k.one, [k.reader, k.admin]);
  const id = decodeURIComponent(rawID);
  const base = `/v1/${kind}/${encodeURIComponent(id)}`;
  const company = await guarded(main, () => get(base));
  if (!company) return;
  const out = h("div", { class: "messages" });
  clear(main, h("p", {}, h("a", { href: `#/${kind}` }, `← All ${k.title.toLowerCase()}`)),
    h("h1", {}, company.Name || company.ID),
    h("p", {}, `${k.one} ID `, h("code", {}, company.ID), ` · ${company.Active ? "Active" : "Inactive"}`),
    can(k.admin) ? button(company.Active ? `Deactivate ${k.one.toLowerCase()}` : `Activate ${k.one.toLowerCase()}`,
      () => guarded(out, async () => { await patch(base, { Active: !company.Active }); await renderCompany(main, params, kind, rawID); })) : null,
    out,
    usersSection(`${base}/users`, k.userAdmin, k.userReader),
    groupsSection(`${base}/usergroups`, k.groupAdmin, k.groupReader));
  main.dataset.ready = "company";
}

export async function renderAdminUsers(main) {
  if (!can("AdminUserAdmin", "AdminUserReader")) {
    return refused(main, "Admin users", ["AdminUserReader", "AdminUserAdmin"]);
  }
  clear(main, h("h1", {}, "Admin users"),
    usersSection("/v1/adminusers", "AdminUserAdmin", "AdminUserReader"),
    groupsSection("/v1/usergroups", "AdminUserGroupAdmin", "AdminUserGroupReader"));
  main.dataset.ready = "adminusers";
}

function usersSection(base, adminRole, readerRole) {
  const section = h("section", { "aria-labelledby": "users-title" }, h("h2", { id: "users-title" }, "Users"));
  if (!can(adminRole, readerRole)) {
    section.append(status("info", `Refused: needs ${readerRole} or ${adminRole}.`));
    return section;
  }
  const admin = can(adminRole);
  const list = h("div", {});
  const out = h("div", { class: "messages" });
  const act = (work) => guarded(out, async () => { await work(); await refresh(); });
  const refresh = () => guarded(list, async () => {
    const page = await get(base, { pageSize: 100, sortBy: "Username" });
    clear(list, table("Users", ["Username", "Name", "Email", "Active", "Actions"], page.Items.map((u) => {
      const url = `${base}/${encodeURIComponent(u.ID)}`;
      return [u.Username, `${u.FirstName || ""} ${u.LastName || ""}`.trim(), u.Email || "",
        u.Active ? "Active" : "Inactive",
        admin ? h("div", { class: "row" },
          button(u.Active ? `Deactivate ${u.Username}` : `Activate ${u.Username}`, () => act(() => patch(url, { Active: !u.Active }))),
          button(`Unlock ${u.Username}`, () => act(async () => { await post(`${url}/unlock`); clear(out, status("ok", `${u.Username} unlocked.`)); })),
          button(`Revoke tokens of ${u.Username}`, () => guarded(out, async () => {
            await del(`${url}/tokens`);
            clear(out, status("ok", `Every token of ${u.Username} is revoked.`));
          }))) : ""];
    })));
  });
  section.append(out, list);
  if (admin) {
    section.append(h("h3", {}, "New user"), createForm("New user", [
      ["Username", "Username", { required: true }], ["FirstName", "First name"], ["LastName", "Last name"],
      ["Email", "Email", { type: "email" }], ["Password", "Password", { type: "password", autocomplete: "new-password" }],
      ["Active", "Active", { type: "checkbox", checked: true }],
    ], "Create user", async (body) => { await post(base, body); await refresh(); }));
  }
  refresh();
  return section;
}

function groupsSection(base, adminRole, readerRole) {
  const section = h("section", { "aria-labelledby": "groups-title" }, h("h2", { id: "groups-title" }, "User groups"));
  if (!can(adminRole, readerRole)) {
    section.append(status("info", `Refused: needs ${readerRole} or ${adminRole}.`));
    return section;
  }
  const list = h("div", {});
  const refresh = () => guarded(list, async () => {
    const page = await get(base, { pageSize: 100 });
    const members = await get(`${base}/assignments`, { pageSize: 100 }).catch(() => ({ Items: [] }));
    clear(list, table("User groups", ["Name", "ID", "Members"], page.Items.map((g) => [
      g.Name || "", h("code", {}, g.ID),
      String(members.Items.filter((m) => m.UserGroupID === g.ID).length),
    ])));
  });
  section.append(list);
  if (can(adminRole)) {
    section.append(createForm("New user group", [["ID", "Group ID (optional)"], ["Name", "Group name", { required: true }]],
      "Create group", async (body) => { await post(base, body); await refresh(); }));
    section.append(createForm("Add a user to a group", [["UserGroupID", "Group ID", { required: true }], ["UserID", "User ID", { required: true }]],
      "Add to group", async (body) => { await post(`${base}/assignments`, body); await refresh(); }));
  }
  refresh();
  return section;
}
