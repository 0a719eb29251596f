// The console's shell: a hash router (#/clients, #/clients/ID, #/audit, …), the navigation
// and the sign-in gate. Each view renders into <main> from the same public API.
import { session, signOut } from "./api.js";
import { h, clear, button } from "./dom.js";
import { renderSignIn } from "./signin.js";
import { renderClients, renderClientNew } from "./clients.js";
import { renderClient } from "./client_detail.js";
import { renderAudit, renderExplain, renderReview } from "./operations.js";
import { renderCompanies, renderCompany, renderAdminUsers } from "./parties.js";
import { renderProfiles } from "./profiles.js";
import { renderSso, renderSsoConfig, renderSsoEvent } from "./sso.js";

const NAV = [
  ["#/clients", "API clients"],
  ["#/audit", "Audit trail"],
  ["#/explain", "Explain access"],
  ["#/review", "Review"],
  ["#/buyers", "Buyers"],
  ["#/suppliers", "Suppliers"],
  ["#/adminusers", "Admin users"],
  ["#/securityprofiles", "Security profiles"],
  ["#/sso", "Single sign-on"],
];

const ROUTES = [
  [/^clients$/, renderClients],
  [/^clients\/new$/, renderClientNew],
  [/^clients\/([^/]+)$/, renderClient],
  [/^audit$/, renderAudit],
  [/^explain$/, renderExplain],
  [/^review$/, renderReview],
  [/^(buyers|suppliers)$/, renderCompanies],
  [/^(buyers|suppliers)\/([^/]+)$/, renderCompany],
  [/^adminusers$/, renderAdminUsers],
  [/^securityprofiles$/, renderProfiles],
  [/^sso$/, renderSso],
  [/^sso\/configs\/([^/]+)$/, renderSsoConfig],
  [/^sso\/events\/([^/]+)$/, renderSsoEvent],
];

function parseHash() {
  const raw = location.hash.replace(/^#\/?/, "");
  const [path, query = ""] = raw.split("?");
  return { path: decodeURIComponent(path), params: new URLSearchParams(query) };
}

function renderHeader(path) {
  const top = document.getElementById("top");
  const s = session();
  if (!s) {
    clear(top, h("p", { class: "brand" }, "Gatehouse console"));
    return;
  }
  const section = path.split("/")[0];
  clear(top,
    h("p", { class: "brand" }, "Gatehouse console"),
    h("nav", { "aria-label": "Sections" },
      h("ul", {}, NAV.map(([href, text]) => h("li", {},
        h("a", { href, "aria-current": href === `#/${section}` ? "page" : null }, text))))),
    h("div", { class: "who" },
      h("span", {}, `${s.username} · ${s.marketplaceID}`),
      button("Sign out", () => signOut("signedout"))));
}

async function route() {
  const { path, params } = parseHash();
  const main = document.getElementById("main");
  if (!session() || path === "signin") {
    renderHeader("");
    if (session() && path === "signin") {
      location.hash = "#/clients";
      return;
    }
    renderSignIn(main, params);
    return;
  }
  renderHeader(path);
  for (const [pattern, view] of ROUTES) {
    const match = pattern.exec(path);
    if (match) {
      clear(main, h("p", { class: "loading" }, "Loading…"));
      await view(main, params, ...match.slice(1));
      return;
    }
  }
  location.hash = "#/clients";
}

window.addEventListener("hashchange", () => { route(); });
route();
