// The sign-in form: the normal password grant through the marketplace's console client.
import { rememberedMarketplace, signIn } from "./api.js";
import { h, clear, field, input, status } from "./dom.js";

const REASONS = {
  expired: "Your session has ended (the token expired or was revoked). Sign in again.",
  signedout: "Signed out.",
};

export function renderSignIn(main, params) {
  const marketplace = field("Marketplace", input("marketplace", {
    value: rememberedMarketplace(), autocomplete: "organization",
  }), "The marketplace ID. Needed when the server holds several; remembered on this device.");
  const username = field("Username", input("username", { autocomplete: "username", required: true }));
  const password = field("Password", input("password", {
    type: "password", autocomplete: "current-password", required: true,
  }));
  const message = h("div", { class: "messages" });
  const reason = REASONS[params.get("reason")];
  if (reason) message.append(status("info", reason));
  const submit = h("button", { type: "submit" }, "Sign in");
  const form = h("form", { class: "signin", "aria-labelledby": "signin-title" },
    h("h1", { id: "signin-title" }, "Sign in"),
    message, marketplace.wrap, username.wrap, password.wrap, submit);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    submit.disabled = true;
    clear(message);
    marketplace.error.textContent = "";
    try {
      await signIn(marketplace.control.value.trim(), username.control.value, password.control.value);
      location.hash = "#/clients";
    } catch (error) {
      const text = error.message || "Sign-in failed.";
      if (error.code === "Console.MarketplaceRequired" || error.code === "NotFound") {
        marketplace.error.textContent = error.code === "NotFound" ? "No such marketplace." : text;
        marketplace.control.focus();
      } else {
        message.append(status("error", text));
        password.control.value = "";
        password.control.focus();
      }
    } finally {
      submit.disabled = false;
    }
  });
  clear(main, form);
  (username.control.value ? password : username).control.focus();
  main.dataset.ready = "signin";
}
