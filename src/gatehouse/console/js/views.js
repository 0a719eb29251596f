// Pieces shared by the views: refusals, error lines, the list conventions (search, sortBy,
// page, pageSize) kept in the URL's hash so the back button and reloads keep them.
import { ApiError, session } from "./api.js";
import { h, clear, field, input, select, button, status } from "./dom.js";

export const PAGE_SIZE = 20;

/** A section the user's roles do not allow: said plainly, no request made. */
export function refused(main, title, roles) {
  const s = session();
  clear(main,
    h("h1", {}, title),
    h("div", { class: "refused", role: "alert" },
      h("p", {}, `Refused: this section needs one of the roles ${roles.join(", ")} (or FullAccess).`),
      h("p", {}, `Your token's roles: ${s && s.roles.length ? s.roles.join(", ") : "none"}.`)));
}

/** Show an API error: 403 as a refusal, others with the server's message and ErrorCode. */
export function errorLine(error) {
  if (!(error instanceof ApiError)) return status("error", String(error));
  if (error.status === 401) return status("info", "Session ended.");
  const prefix = error.status === 403 ? "Refused by the server: " : "";
  const code = error.code ? ` (${error.code})` : "";
  return status("error", `${prefix}${error.message}${code}`);
}

export async function guarded(container, work) {
  try {
    return await work();
  } catch (error) {
    clear(container, errorLine(error));
    return undefined;
  }
}

/** Put each validation error next to the field it names; the rest go to ``general``. */
export function showFieldErrors(fields, general, error) {
  for (const f of Object.values(fields)) {
    f.error.textContent = "";
    f.control.removeAttribute("aria-invalid");
  }
  clear(general);
  if (!(error instanceof ApiError)) {
    general.append(errorLine(error));
    return;
  }
  let placed = false;
  for (const e of error.errors) {
    const target = fields[ApiError.fieldOf(e)];
    if (target) {
      target.error.textContent = e.Message;
      target.control.setAttribute("aria-invalid", "true");
      if (!placed) target.control.focus();
      placed = true;
    }
  }
  if (!placed) general.append(errorLine(error));
}

/** Search and sort controls for a list whose state lives in ``#/base?search=…``. */
export function listControls(base, params, sortOptions) {
  const search = field("Search", input("search", { type: "search", value: params.get("search") || "" }));
  const sort = field("Sort by", select("sortBy", sortOptions, params.get("sortBy") || sortOptions[0][0]));
  const form = h("form", { class: "list-controls", role: "search" },
    search.wrap, sort.wrap, h("button", { type: "submit" }, "Apply"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const next = new URLSearchParams(params);
    next.set("search", search.control.value.trim());
    next.set("sortBy", sort.control.value);
    next.set("page", "1");
    location.hash = `#/${base}?${next}`;
  });
  return form;
}

export function listQuery(params, extra = {}) {
  return {
    search: params.get("search") || undefined,
    sortBy: params.get("sortBy") || undefined,
    page: params.get("page") || 1,
    pageSize: PAGE_SIZE,
    ...extra,
  };
}

/** Previous / next and "page x of y" from the list's Meta. */
export function pager(base, params, meta) {
  const page = meta.Page || 1;
  const go = (n) => () => {
    const next = new URLSearchParams(params);
    next.set("page", String(n));
    location.hash = `#/${base}?${next}`;
  };
  return h("nav", { class: "pager", "aria-label": "Pages" },
    button("Previous page", go(page - 1), { disabled: page <= 1 }),
    h("span", {}, `Page ${page} of ${Math.max(meta.TotalPages || 1, 1)} (${meta.TotalCount} in all)`),
    button("Next page", go(page + 1), { disabled: page >= (meta.TotalPages || 1) }));
}

/** A button that asks once more inline (no window.confirm, which keyboard and tests hate). */
export function confirmButton(text, confirmText, action, attrs = {}) {
  const wrap = h("span", { class: "confirm" });
  const first = button(text, () => {
    const yes = button(confirmText, async () => { clear(wrap, first); await action(); }, { class: "danger" });
    const no = button("Cancel", () => { clear(wrap, first); first.focus(); });
    clear(wrap, yes, no);
    yes.focus();
  }, attrs);
  wrap.append(first);
  return wrap;
}
