// Talking to Gatehouse: the same /oauth/token, /v1 and /gatehouse endpoints as any client.
// The session (token, roles) lives in sessionStorage only: never a cookie, gone with the tab.

const SESSION_KEY = "gatehouse.console.session";
const MARKETPLACE_KEY = "gatehouse.console.marketplace";

export class ApiError extends Error {
  constructor(status, body) {
    const errors = (body && body.Errors) || [];
    const first = errors[0] || {};
    super(first.Message || (body && body.error_description) || `HTTP ${status}`);
    this.status = status;
    this.errors = errors;
    this.code = first.ErrorCode || (body && body.error) || "";
  }

  /** The field a validation error names (Data.Field), or "" for the form as a whole. */
  static fieldOf(error) {
    const data = error.Data || {};
    return data.Field || data.Property || "";
  }
}

export function session() {
  try {
    return JSON.parse(sessionStorage.getItem(SESSION_KEY) || "null");
  } catch {
    return null;
  }
}

export function rememberedMarketplace() {
  return localStorage.getItem(MARKETPLACE_KEY) || "";
}

function claims(token) {
  const part = token.split(".")[1] || "";
  const json = atob(part.replace(/-/g, "+").replace(/_/g, "/"));
  return JSON.parse(json);
}

/** The roles of the token's ``role`` claim (a string for one, an array for several). */
export function rolesOf(token) {
  const role = claims(token).role;
  if (!role) return [];
  return Array.isArray(role) ? role : [role];
}

/** Whether the signed-in user holds any of ``roles`` (FullAccess holds them all). The server
 * stays the judge: this only hides or disables what would be refused. */
export function can(...roles) {
  const s = session();
  if (!s) return false;
  return s.roles.includes("FullAccess") || roles.some((r) => s.roles.includes(r));
}

export function signOut(reason) {
  sessionStorage.removeItem(SESSION_KEY);
  location.hash = reason ? `#/signin?reason=${reason}` : "#/signin";
}

/** The password grant through the marketplace's console client. */
export async function signIn(marketplace, username, password) {
  const query = marketplace ? `?marketplace=${encodeURIComponent(marketplace)}` : "";
  const configResponse = await fetch(`/gatehouse/console/config${query}`);
  const config = await configResponse.json();
  if (!configResponse.ok) throw new ApiError(configResponse.status, config);
  const form = new URLSearchParams({
    grant_type: "password", client_id: config.ApiClientID, username, password,
  });
  const response = await fetch("/oauth/token", { method: "POST", body: form });
  const body = await response.json();
  if (!response.ok) throw new ApiError(response.status, body);
  const token = body.access_token;
  localStorage.setItem(MARKETPLACE_KEY, config.MarketplaceID);
  sessionStorage.setItem(SESSION_KEY, JSON.stringify({
    token,
    roles: rolesOf(token),
    username,
    marketplaceID: config.MarketplaceID,
    clientID: config.ApiClientID,
    expires: claims(token).exp * 1000,
  }));
}

/** One API call with the session's token. 401 (an expired or revoked token) signs out. */
export async function call(method, path, { query, body } = {}) {
  const s = session();
  if (!s || Date.now() >= s.expires) {
    signOut("expired");
    throw new ApiError(401, null);
  }
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query || {})) {
    if (value !== undefined && value !== null && value !== "") params.set(key, value);
  }
  const qs = params.toString();
  const headers = { Authorization: `Bearer ${s.token}`, Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(qs ? `${path}?${qs}` : path, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 401) {
    signOut("expired");
    throw new ApiError(401, null);
  }
  if (response.status === 204) return null;
  const data = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

export const get = (path, query) => call("GET", path, { query });
export const post = (path, body) => call("POST", path, { body });
export const patch = (path, body) => call("PATCH", path, { body });
export const del = (path) => call("DELETE", path);
