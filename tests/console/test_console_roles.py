"""Roles, several marketplaces, refusals and expiry in the console (Chromium): a user without
ApiClientReader sees the clients section refused (no broken page, no request); a reader sees
clients but no write controls; the server's refusal to delete the last full-access client is
shown; an expired or revoked token leads back to sign-in; the phone-width views."""

from __future__ import annotations

import httpx
import pytest
from playwright.async_api import Page, expect

from tests.console.helpers import bearer, shot, sign_in
from tests.factories.console import (
    SECOND_PASSWORD,
    ConsoleServer,
    PageErrors,
    second_marketplace,
    user_with_roles,
)

pytestmark = [pytest.mark.asyncio, pytest.mark.slow]


async def test_user_without_client_roles_sees_clients_refused(
    page: Page, console_server: ConsoleServer
) -> None:
    creds = second_marketplace(console_server, "second-admin")
    user_with_roles(console_server, creds, "buyers-only", ["BuyerReader"])
    await sign_in(
        page, console_server.console, "buyers-only", SECOND_PASSWORD, creds["MarketplaceID"]
    )
    refusal = page.get_by_role("alert")
    await expect(refusal).to_contain_text("Refused")
    await expect(refusal).to_contain_text("ApiClientReader")
    await expect(refusal).to_contain_text("BuyerReader")
    await expect(page.get_by_role("link", name="New API client")).to_have_count(0)
    await shot(page, "desktop-clients-refused")
    await page.get_by_role("link", name="Audit trail").click()
    await expect(page.get_by_role("alert")).to_contain_text("Refused")
    # What the user may read works: the buyers list, without its create form.
    await page.get_by_role("link", name="Buyers").click()
    await expect(page.get_by_role("table", name="Buyers")).to_be_visible()
    await expect(page.get_by_role("button", name="Create buyer")).to_have_count(0)


async def test_reader_sees_clients_without_write_controls(
    page: Page, console_server: ConsoleServer
) -> None:
    creds = second_marketplace(console_server, "third-admin")
    user_with_roles(console_server, creds, "client-reader", ["ApiClientReader"])
    await sign_in(
        page, console_server.console, "client-reader", SECOND_PASSWORD, creds["MarketplaceID"]
    )
    await expect(page.get_by_role("heading", name="API clients")).to_be_visible()
    await expect(page.get_by_role("link", name="New API client")).to_have_count(0)
    await page.get_by_role("link", name="Gatehouse Console").click()
    await expect(page.get_by_role("heading", name="Gatehouse Console")).to_be_visible()
    await expect(page.get_by_role("button", name="Deactivate")).to_have_count(0)
    await expect(page.get_by_role("button", name="Rotate secret")).to_have_count(0)
    await expect(page.get_by_role("button", name="Save changes")).to_be_disabled()
    await expect(page.get_by_label("App name")).to_be_disabled()


async def test_refusal_shown_and_expired_session_returns_to_sign_in(
    page: Page, page_errors: PageErrors, console_server: ConsoleServer
) -> None:
    creds = second_marketplace(console_server, "fourth-admin")
    # Several marketplaces: without the ID the form says so by the Marketplace field.
    page_errors.allow_http(400, 401)
    await page.goto(console_server.console)
    await page.evaluate("localStorage.clear()")
    await page.reload()
    await page.get_by_label("Username").fill("fourth-admin")
    await page.get_by_label("Password").fill(SECOND_PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_text("several marketplaces")).to_be_visible()
    await sign_in(
        page, console_server.console, "fourth-admin", SECOND_PASSWORD, creds["MarketplaceID"]
    )

    # Delete the default client (allowed), then the console's own: the server refuses, as
    # it is the last client through which a FullAccess user can sign in.
    default = creds["ApiClientID"]
    await page.goto(f"{console_server.console}#/clients/{default}")
    await page.get_by_role("button", name="Delete").click()
    await page.get_by_role("button", name="Really delete this client").click()
    await expect(page.get_by_role("heading", name="API clients")).to_be_visible()
    page_errors.allow_http(409, 403, 400)
    await page.get_by_role("link", name="Gatehouse Console").click()
    await page.get_by_role("button", name="Delete").click()
    await page.get_by_role("button", name="Really delete this client").click()
    await expect(page.locator("#actions-result").get_by_role("alert")).to_contain_text(
        "CannotDeleteLastFullAccess"
    )
    await shot(page, "desktop-delete-refused")

    # Revoking the user's tokens elsewhere: the next console request gets 401 and signs out.
    session = await page.evaluate("JSON.parse(sessionStorage.getItem('gatehouse.console.session'))")
    assert (
        httpx.delete(
            f"{console_server.base}/v1/me/tokens", headers=bearer(session["token"])
        ).status_code
        == 204
    )
    await page.get_by_role("link", name="Review", exact=True).click()
    await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    await expect(page.get_by_role("status")).to_contain_text("session has ended")


async def test_phone_width_views(phone: Page, console_server: ConsoleServer) -> None:
    creds = second_marketplace(console_server, "phone-admin")
    await phone.goto(console_server.console)
    await shot(phone, "phone-signin")
    await sign_in(
        phone, console_server.console, "phone-admin", SECOND_PASSWORD, creds["MarketplaceID"]
    )
    await expect(phone.get_by_role("heading", name="API clients")).to_be_visible()
    await shot(phone, "phone-clients")
    await phone.get_by_role("link", name="Gatehouse Console").click()
    await expect(phone.locator("#traffic-charts")).to_be_visible()
    await shot(phone, "phone-client-detail")
    # Nothing is wider than the screen: no horizontal scrolling of the page.
    width = await phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    await phone.get_by_role("link", name="Audit trail").click()
    await expect(phone.locator("#audit-results table")).to_be_visible()
    await shot(phone, "phone-audit")
