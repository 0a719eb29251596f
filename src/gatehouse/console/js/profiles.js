// Security profiles and their assignments (marketplace, company, group or user level).
import { can, call, get, post } from "./api.js";
import { h, clear, field, input, select, button, status, table } from "./dom.js";
import { refused, guarded, showFieldErrors } from "./views.js";

export async function renderProfiles(main) {
  const roles = ["SecurityProfileReader", "SecurityProfileAdmin"];
  if (!can(...roles)) return refused(main, "Security profiles", roles);
  const admin = can("SecurityProfileAdmin");
  const profiles = h("div", {});
  const assignments = h("div", {});
  const out = h("div", { class: "messages" });
  const refresh = async () => {
    await guarded(profiles, async () => {
      const page = await get("/v1/securityprofiles", { pageSize: 100 });
      clear(profiles, table("Security profiles", ["Name", "ID", "Roles"], page.Items.map((p) => [
        p.Name, h("code", {}, p.ID), [...(p.Roles || []), ...(p.CustomRoles || [])].join(", "),
      ])));
    });
    if (!admin) {
      clear(assignments, status("info", "Listing assignments needs SecurityProfileAdmin."));
      return;
    }
    await guarded(assignments, async () => {
      const page = await get("/v1/securityprofiles/assignments", { pageSize: 100 });
      clear(assignments, table("Assignments", ["Profile", "Level", "Company", "Group", "User", ""], page.Items.map((a) => [
        a.SecurityProfileID, a.UserID ? "User" : a.UserGroupID ? "Group" : (a.BuyerID || a.SupplierID) ? "Company" : "Marketplace",
        a.BuyerID || a.SupplierID || "", a.UserGroupID || "", a.UserID || "",
        admin ? button(`Remove ${a.SecurityProfileID} assignment`, () => guarded(out, async () => {
          await call("DELETE", `/v1/securityprofiles/${encodeURIComponent(a.SecurityProfileID)}/assignments`, {
            query: { buyerID: a.BuyerID, supplierID: a.SupplierID, userID: a.UserID, userGroupID: a.UserGroupID },
          });
          await refresh();
        })) : "",
      ])));
    });
  };
  clear(main, h("h1", {}, "Security profiles"), out, profiles,
    h("h2", {}, "Assignments"), assignments);
  if (admin) main.append(profileForm(refresh), assignForm(refresh));
  await refresh();
  main.dataset.ready = "securityprofiles";
}

function profileForm(refresh) {
  const f = {
    ID: field("Profile ID", input("ID")),
    Name: field("Profile name", input("Name", { required: true })),
    Roles: field("Roles", input("Roles"), "Separated by spaces, e.g. ApiClientReader BuyerReader."),
  };
  const general = h("div", { class: "messages" });
  const form = h("form", { class: "inline-form", "aria-label": "New security profile" },
    h("h2", {}, "New security profile"), Object.values(f).map((x) => x.wrap), h("button", { type: "submit" }, "Create profile"), general);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { Name: f.Name.control.value.trim(), Roles: f.Roles.control.value.trim().split(/[\s,]+/).filter(Boolean) };
    if (f.ID.control.value.trim()) body.ID = f.ID.control.value.trim();
    try {
      await post("/v1/securityprofiles", body);
      form.reset();
      clear(general, status("ok", "Created."));
      await refresh();
    } catch (error) {
      showFieldErrors(f, general, error);
    }
  });
  return form;
}

function assignForm(refresh) {
  const f = {
    SecurityProfileID: field("Security profile ID", input("SecurityProfileID", { required: true })),
    Level: field("Assign to", select("Level", [["BuyerID", "Buyer"], ["SupplierID", "Supplier"], ["", "Marketplace (seller)"]])),
    CompanyID: field("Company ID", input("CompanyID")),
    UserGroupID: field("User group ID (optional)", input("UserGroupID")),
    UserID: field("User ID (optional)", input("UserID")),
  };
  const general = h("div", { class: "messages" });
  const form = h("form", { class: "inline-form", "aria-label": "Assign a security profile" },
    h("h2", {}, "Assign a security profile"), Object.values(f).map((x) => x.wrap), h("button", { type: "submit" }, "Assign profile"), general);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { SecurityProfileID: f.SecurityProfileID.control.value.trim() };
    if (f.Level.control.value && f.CompanyID.control.value.trim()) body[f.Level.control.value] = f.CompanyID.control.value.trim();
    for (const k of ["UserGroupID", "UserID"]) if (f[k].control.value.trim()) body[k] = f[k].control.value.trim();
    try {
      await post("/v1/securityprofiles/assignments", body);
      clear(general, status("ok", "Assigned."));
      await refresh();
    } catch (error) {
      showFieldErrors(f, general, error);
    }
  });
  return form;
}
