"""A storefront on another origin, in Chromium, with the official JavaScript SDK's browser
bundle unchanged (issue 9): anonymous token, Me, a cart, register, log in again and find the
cart, patch Me. Through a client whose allowed origins exclude the page's origin the same
fails as designed (a readable 400/403 ``Auth.OriginNotAllowed``), and on a deployment that
does not allow the page's origin nothing gets through: no preflight is granted, no token is
issued, nothing is written."""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.browser import chromium, require_browser, static_site, storefront_files
from tests.support.server import gatehouse, login, server

pytestmark = [pytest.mark.asyncio, pytest.mark.slow, pytest.mark.browser]
PASSWORD = "Storefr0nt-Passw0rd"
SCRIPT = (Path(__file__).parent / "storefront.js").read_bytes()
BUYER, TEMPLATE = "shop-buyer", "anon-template"


@dataclass
class Shop:
    base: str
    admin: dict[str, str]
    open_client: str
    restricted_client: str
    pages: list[str]

    def call(self, method: str, path: str, body: Any = None) -> httpx.Response:
        response = httpx.request(method, self.base + path, headers=self.admin, json=body)
        assert response.is_success, response.text
        return response


def new_user(prefix: str) -> dict[str, Any]:
    name = f"{prefix}-{secrets.token_hex(4)}"
    return {
        "Username": name,
        "Password": PASSWORD,
        "FirstName": "Ada",
        "LastName": "Shopper",
        "Email": f"{name}@example.com",
        "Active": True,
    }


def seed(base: str, database_url: str, pages: list[str]) -> Shop:
    """A marketplace with a buyer, a shopper profile, an anonymous template user and two
    anonymous clients: one open to every origin, one listing only the last page's origin."""
    created = gatehouse(
        "marketplace", "create", "--name", "Storefront", "--admin-username", "seller",
        "--admin-password", PASSWORD, "--json", "--database-url", database_url,
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    admin_client = json.loads(created.stdout)["ApiClientID"]
    token = login(base, admin_client, "seller", PASSWORD).json()["access_token"]
    shop = Shop(base, {"Authorization": f"Bearer {token}"}, "", "", pages)
    shop.call("POST", "/v1/buyers", {"ID": BUYER, "Name": "Shop", "Active": True})
    profile = {"ID": "shopper", "Name": "Shopper", "Roles": ["Shopper", "MeAdmin"]}
    shop.call("POST", "/v1/securityprofiles", profile)
    shop.call(
        "POST",
        "/v1/securityprofiles/assignments",
        {"SecurityProfileID": "shopper", "BuyerID": BUYER},
    )
    shop.call(
        "POST",
        f"/v1/buyers/{BUYER}/users",
        {"ID": TEMPLATE, **new_user(TEMPLATE), "Username": TEMPLATE},
    )
    anonymous = {
        "AccessTokenDuration": 60,
        "AllowAnyBuyer": True,
        "IsAnonBuyer": True,
        "DefaultContextUserName": TEMPLATE,
    }
    shop.open_client = shop.call("POST", "/v1/apiclients", {"AppName": "Open", **anonymous}).json()[
        "ID"
    ]
    shop.restricted_client = shop.call(
        "POST", "/v1/apiclients", {"AppName": "Restricted", **anonymous}
    ).json()["ID"]
    listed = {"AllowedOrigins": [pages[-1]]}
    shop.call("PUT", f"/gatehouse/apiclients/{shop.restricted_client}/origins", listed)
    return shop


@contextmanager
def storefront(database_url: str, *, narrowed: bool = False) -> Iterator[Shop]:
    """Gatehouse and two storefront sites on their own ports (their own origins). The
    deployment allows every origin, or with ``narrowed`` only the second site's."""
    require_browser()
    with ExitStack() as stack:
        pages = [stack.enter_context(static_site(storefront_files(SCRIPT))) for _ in range(2)]
        env = {"GATEHOUSE_CORS_ORIGINS": pages[-1]} if narrowed else {}
        base, _ = stack.enter_context(server(database_url, env=env))
        yield seed(base, database_url, pages)


async def run(origin: str, function: str, argument: dict[str, Any]) -> dict[str, Any]:
    async with chromium() as browser:
        page = await browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        await page.goto(origin + "/")
        await page.wait_for_function("() => window.OrderCloud && window.shop")
        result: dict[str, Any] = await page.evaluate(f"(arg) => window.{function}(arg)", argument)
        assert errors == [], errors
        return result


async def test_the_js_sdk_storefront_on_another_origin(fresh_database_url: str) -> None:
    with storefront(fresh_database_url) as shop:
        await _shop_on_another_origin(shop)


async def _shop_on_another_origin(storefront: Shop) -> None:
    page, _ = storefront.pages
    user = new_user("shopper")
    result = await run(
        page,
        "shop",
        {"baseApiUrl": storefront.base, "clientID": storefront.open_client, "user": user},
    )
    assert result["ok"], result
    assert result["anonymousUser"] == TEMPLATE
    assert result["orders"] == [result["cart"]], "the cart followed the shopper into the account"
    assert result["firstName"] == "Patched"
    assert result["me"] == user["Username"]
    # The server agrees: the order belongs to the registered user now.
    order = storefront.call("GET", f"/v1/orders/Incoming/{result['cart']}").json()
    assert order["FromUser"]["Username"] == user["Username"]


async def test_a_client_listing_other_origins_refuses_the_page(fresh_database_url: str) -> None:
    with storefront(fresh_database_url) as shop:
        await _restricted_client(shop)


async def _restricted_client(storefront: Shop) -> None:
    page, listed_page = storefront.pages
    argument = {"baseApiUrl": storefront.base, "clientID": storefront.restricted_client}
    refused = await run(page, "shop", {**argument, "user": new_user("refused")})
    # Refused by the server, readable by the page: the SDK gets the OrderCloud error.
    assert refused == {
        "ok": False,
        "step": "Auth.Anonymous",
        "status": 400,
        "errorCode": "Auth.OriginNotAllowed",
        "message": refused["message"],
    }
    # A token of that client, obtained elsewhere (a server, no Origin), is refused on /v1.
    token = httpx.post(
        f"{storefront.base}/oauth/token",
        data={"grant_type": "client_credentials", "client_id": storefront.restricted_client},
    ).json()["access_token"]
    me = await run(page, "callMe", {**argument, "accessToken": token})
    assert (me["status"], me["errorCode"]) == (403, "Auth.OriginNotAllowed")
    # The origin the client lists works, the whole flow.
    allowed = await run(listed_page, "shop", {**argument, "user": new_user("listed")})
    assert allowed["ok"], allowed
    assert allowed["orders"] == [allowed["cart"]]


async def test_an_origin_the_deployment_does_not_allow_gets_nothing(
    fresh_database_url: str,
) -> None:
    with storefront(fresh_database_url, narrowed=True) as shop:
        await _narrowed_deployment(shop)


async def _narrowed_deployment(storefront: Shop) -> None:
    page, listed_page = storefront.pages
    argument = {"baseApiUrl": storefront.base, "clientID": storefront.open_client}
    refused = await run(page, "shop", {**argument, "user": new_user("blocked")})
    # The browser sees a network error: no CORS header on the refusal, nothing readable.
    assert refused["ok"] is False and refused["step"] == "Auth.Anonymous"
    assert refused["status"] is None and refused["errorCode"] is None
    # A preflighted write with a valid token: the preflight is refused, so the PATCH is never
    # sent and the user is unchanged.
    token = httpx.post(
        f"{storefront.base}/oauth/token",
        data={"grant_type": "client_credentials", "client_id": storefront.open_client},
    ).json()["access_token"]
    patched = await run(
        page, "callMe", {**argument, "accessToken": token, "patch": {"FirstName": "Evil"}}
    )
    assert patched["ok"] is False and patched["status"] is None
    template = storefront.call("GET", f"/v1/buyers/{BUYER}/users/{TEMPLATE}").json()
    assert template["FirstName"] == "Ada"
    await asyncio.sleep(2.5)  # token audit events are flushed every second
    events = storefront.call("GET", f"/gatehouse/audit?clientID={storefront.open_client}").json()
    kinds = [event["EventType"] for event in events["Items"]]
    assert kinds.count("token.issued") == 1, "only the server-side token: none for the page"
    assert "token.refused" not in kinds, "the page's requests never reached the endpoint"
    # The listed origin works on the same server.
    allowed = await run(listed_page, "shop", {**argument, "user": new_user("listed")})
    assert allowed["ok"], allowed
