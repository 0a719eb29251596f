"""Single sign-on in the console (issue 14 point 4, Chromium): an admin creates an integration
event and an OpenIdConnect config, copies its login URL, edits a field, sees the server's
validation error by the field, is refused deleting the event in use, then deletes the config
and the event; a user without OpenIDConnectReader sees the section refused, and a reader sees
the configs without any write control."""

from __future__ import annotations

import httpx
import pytest
from playwright.async_api import Page, expect

from tests.console.helpers import assert_every_control_labelled, bearer, shot, sign_in, token
from tests.factories.console import (
    ADMIN,
    PASSWORD,
    SECOND_PASSWORD,
    ConsoleServer,
    PageErrors,
    second_marketplace,
    user_with_roles,
)

pytestmark = [pytest.mark.asyncio, pytest.mark.slow]


async def create_event(page: Page) -> None:
    await page.get_by_label("Event ID").fill("idp-users")
    await page.get_by_label("Event name").fill("IdP users")
    await page.get_by_label("Custom implementation URL").fill("https://hooks.example.com/sso")
    await page.get_by_label("Hash key").fill("hash-key-1")
    await page.get_by_label("Elevated roles").fill("BuyerUserAdmin BuyerReader")
    await page.get_by_role("button", name="Create event").click()
    await expect(page.locator("#sso-result")).to_have_text("Integration event idp-users created.")
    await expect(page.get_by_role("link", name="idp-users", exact=True)).to_be_visible()


async def create_config(page: Page, client_id: str) -> None:
    await page.get_by_label("Config ID").fill("azure")
    await page.get_by_label("API client", exact=True).select_option(client_id)
    await page.get_by_label("IdP client ID").fill("connect-client")
    await page.get_by_label("IdP client secret").fill("connect-secret-1")
    await page.get_by_label("App start URL").fill("https://app.example.com/sso?token={0}")
    await page.get_by_label("Authorization endpoint").fill("https://idp.example.com/authorize")
    await page.get_by_label("Token endpoint").fill("https://idp.example.com/token")
    await page.get_by_label("Integration event", exact=True).select_option("idp-users")
    await page.get_by_label("Additional IdP scopes").fill("offline_access")
    await page.get_by_role("button", name="Create config").click()
    await expect(page.locator("#sso-result")).to_have_text("Config azure created.")
    await expect(page.get_by_role("link", name="azure", exact=True)).to_be_visible()


async def test_admin_manages_configs_and_events(
    page: Page, page_errors: PageErrors, console_server: ConsoleServer
) -> None:
    base = console_server.base
    client_id = console_server.console_client_id
    admin = bearer(token(base, client_id, ADMIN, PASSWORD))
    await sign_in(page, console_server.console, ADMIN, PASSWORD, console_server.marketplace_id)
    await page.get_by_role("link", name="Single sign-on").click()
    await expect(page.get_by_role("heading", name="Single sign-on")).to_be_visible()
    await create_event(page)
    await create_config(page, client_id)
    await assert_every_control_labelled(page)

    stored = httpx.get(f"{base}/v1/openidconnects/azure", headers=admin).json()
    assert stored["IntegrationEventID"] == "idp-users"
    assert stored["ConnectClientSecret"] == "connect-secret-1"
    assert stored["AdditionalIdpScopes"] == ["offline_access"]
    url = f"{base}/ocrplogin?id=azure&cid={client_id}"
    await expect(page.locator("#sso-configs")).to_contain_text(url)
    await page.get_by_role("button", name="Copy login URL of azure").click()
    await expect(page.get_by_text("Copied.")).to_be_visible()
    assert await page.evaluate("navigator.clipboard.readText()") == url
    await shot(page, "desktop-sso")

    # Edit one field; the secret left empty is kept.
    await page.get_by_role("link", name="azure", exact=True).click()
    await expect(page.get_by_role("heading", name="OpenID Connect config azure")).to_be_visible()
    await expect(page.get_by_text("Set. Empty keeps the current secret.")).to_be_visible()
    await page.get_by_label("Custom error URL").fill("https://app.example.com/error?m={0}")
    await page.get_by_role("button", name="Save changes").click()
    await expect(page.get_by_role("status").filter(has_text="Saved.")).to_be_visible()
    stored = httpx.get(f"{base}/v1/openidconnects/azure", headers=admin).json()
    assert stored["CustomErrorUrl"] == "https://app.example.com/error?m={0}"
    assert stored["ConnectClientSecret"] == "connect-secret-1"

    # A required field emptied: the server's RequiredField lands by the Token endpoint field.
    page_errors.allow_http(400, 409)
    endpoint = page.get_by_label("Token endpoint")
    await endpoint.fill("")
    await page.get_by_role("button", name="Save changes").click()
    await expect(endpoint).to_have_attribute("aria-invalid", "true")
    described = await endpoint.get_attribute("aria-describedby")
    assert described is not None
    error_id = described.split()[0]
    await expect(page.locator(f"#{error_id}")).to_have_text("Field TokenEndpoint is required")
    await shot(page, "desktop-sso-config")
    assert httpx.get(f"{base}/v1/openidconnects/azure", headers=admin).json()["TokenEndpoint"]

    # The event in use cannot go; the config can, then the event.
    await page.get_by_role("link", name="← Single sign-on").click()
    await page.get_by_role("button", name="Delete event idp-users").click()
    await page.get_by_role("button", name="Really delete").click()
    await expect(page.locator("#sso-result").get_by_role("alert")).to_contain_text(
        "IntegrationEvent.CannotDeleteInUse"
    )
    await page.get_by_role("button", name="Delete config azure").click()
    await page.get_by_role("button", name="Really delete").click()
    await expect(page.locator("#sso-result")).to_have_text("Deleted config azure.")
    await expect(page.get_by_role("link", name="azure", exact=True)).to_have_count(0)
    await page.get_by_role("button", name="Delete event idp-users").click()
    await page.get_by_role("button", name="Really delete").click()
    await expect(page.locator("#sso-result")).to_have_text("Deleted event idp-users.")
    await expect(page.get_by_role("link", name="idp-users", exact=True)).to_have_count(0)
    assert httpx.get(f"{base}/v1/integrationEvents", headers=admin).json()["Items"] == []
    assert httpx.get(f"{base}/v1/openidconnects", headers=admin).json()["Items"] == []


async def test_without_reader_role_the_section_is_refused(
    page: Page, console_server: ConsoleServer
) -> None:
    creds = second_marketplace(console_server, "sso-second-admin")
    user_with_roles(console_server, creds, "sso-none", ["BuyerReader"])
    await sign_in(page, console_server.console, "sso-none", SECOND_PASSWORD, creds["MarketplaceID"])
    await page.get_by_role("link", name="Single sign-on").click()
    refusal = page.get_by_role("alert")
    await expect(refusal).to_contain_text("Refused")
    await expect(refusal).to_contain_text("OpenIDConnectReader")
    await expect(page.get_by_role("button", name="Create config")).to_have_count(0)
    await shot(page, "desktop-sso-refused")


async def test_reader_sees_configs_without_write_controls(
    page: Page, console_server: ConsoleServer
) -> None:
    creds = second_marketplace(console_server, "sso-third-admin")
    user_with_roles(console_server, creds, "sso-reader", ["OpenIDConnectReader"])
    await sign_in(
        page, console_server.console, "sso-reader", SECOND_PASSWORD, creds["MarketplaceID"]
    )
    await page.get_by_role("link", name="Single sign-on").click()
    await expect(page.get_by_role("table", name="OpenID Connect configs")).to_be_visible()
    await expect(page.get_by_role("button", name="Create config")).to_have_count(0)
    await expect(page.get_by_role("button", name="Create event")).to_have_count(0)
    await expect(page.locator("#sso-events").get_by_role("alert")).to_contain_text(
        "IntegrationEventReader"
    )


async def test_phone_width(phone: Page, console_server: ConsoleServer) -> None:
    creds = second_marketplace(console_server, "sso-phone-admin")
    await sign_in(
        phone, console_server.console, "sso-phone-admin", SECOND_PASSWORD, creds["MarketplaceID"]
    )
    await phone.goto(f"{console_server.console}#/sso")
    await expect(phone.get_by_role("button", name="Create config")).to_be_visible()
    await assert_every_control_labelled(phone)
    assert await phone.evaluate("document.documentElement.scrollWidth") <= 390
    await shot(phone, "phone-sso")
