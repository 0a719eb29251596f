"""A shop with an anonymous-buyer client, shared by the anonymous shopping tests.

Buyer ``buyer-a`` has the template user ``anon-template`` (profile ``shopper`` assigned to
it at user level, member of group ``visitors`` which carries profile ``reader``) and a
registered shopper ``alice``; buyer ``buyer-b`` has ``bob``. The ``IsAnonBuyer`` client has no
secret, serves any buyer and gives anonymous tokens 60 minutes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from gatehouse.runtime import Runtime
from tests.factories.companies import add_companies
from tests.factories.marketplaces import ADMIN_PASSWORD, Marketplace, password_token
from tests.factories.tokens import claims_of

PASSWORD = "Passw0rdPassw0rd"
TEMPLATE = "anon-template"
ANON_MINUTES = 60


@dataclass(frozen=True)
class Shop:
    mp: Marketplace
    anon_client: str

    @property
    def auth(self) -> dict[str, str]:
        return self.mp.auth


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error: dict[str, Any] = response.json()["Errors"][0]
    assert error["ErrorCode"] == code, response.text
    return error


def buyer_user(user_id: str, username: str, **fields: Any) -> dict[str, Any]:
    return {
        "ID": user_id,
        "Username": username,
        "Password": PASSWORD,
        "FirstName": "F",
        "LastName": "L",
        "Email": f"{user_id}@example.com",
        "Active": True,
        **fields,
    }


async def build_shop(http: httpx.AsyncClient, runtime: Runtime, mp: Marketplace) -> Shop:
    await add_companies(runtime, mp, "buyer", "buyer-a", "buyer-b")
    profiles = [
        {"ID": "shopper", "Name": "Shopper", "Roles": ["Shopper", "MeAdmin", "PasswordReset"]},
        {"ID": "reader", "Name": "Reader", "Roles": ["MeXpAdmin"]},
    ]
    for profile in profiles:
        await ok(await http.post("/v1/securityprofiles", headers=mp.auth, json=profile), 201)
    users = [
        ("buyer-a", buyer_user("template", TEMPLATE)),
        ("buyer-a", buyer_user("alice", "alice")),
        ("buyer-b", buyer_user("bob", "bob")),
    ]
    for buyer, body in users:
        await ok(await http.post(f"/v1/buyers/{buyer}/users", headers=mp.auth, json=body), 201)
    for buyer, user_id in (("buyer-a", "template"), ("buyer-a", "alice"), ("buyer-b", "bob")):
        assignment = {"SecurityProfileID": "shopper", "BuyerID": buyer, "UserID": user_id}
        response = await http.post(
            "/v1/securityprofiles/assignments", headers=mp.auth, json=assignment
        )
        await ok(response, 204)
    group = {"ID": "visitors", "Name": "Visitors"}
    await ok(await http.post("/v1/buyers/buyer-a/usergroups", headers=mp.auth, json=group), 201)
    member = {"UserGroupID": "visitors", "UserID": "template"}
    await ok(
        await http.post("/v1/buyers/buyer-a/usergroups/assignments", headers=mp.auth, json=member),
        204,
    )
    group_profile = {"SecurityProfileID": "reader", "BuyerID": "buyer-a", "UserGroupID": "visitors"}
    await ok(
        await http.post("/v1/securityprofiles/assignments", headers=mp.auth, json=group_profile),
        204,
    )
    client = {
        "AppName": "Storefront",
        "AccessTokenDuration": 30,
        "RefreshTokenDuration": 60,
        "AnonymousTokenDuration": ANON_MINUTES,
        "AllowAnyBuyer": True,
        "IsAnonBuyer": True,
        "DefaultContextUserName": TEMPLATE,
    }
    created = await ok(await http.post("/v1/apiclients", headers=mp.auth, json=client), 201)
    return Shop(mp, created["ID"])


async def anonymous_token(
    http: httpx.AsyncClient,
    client_id: str,
    scope: str | None = None,
    **form: str,
) -> httpx.Response:
    body = {"grant_type": "client_credentials", "client_id": client_id, **form}
    if scope is not None:
        body["scope"] = scope
    return await http.post("/oauth/token", data=body)


async def anon(http: httpx.AsyncClient, shop: Shop) -> str:
    token: str = (await ok(await anonymous_token(http, shop.anon_client)))["access_token"]
    return token


async def login(http: httpx.AsyncClient, shop: Shop, username: str) -> str:
    response = await password_token(http, shop.anon_client, username, PASSWORD)
    token: str = (await ok(response))["access_token"]
    return token


async def fresh_seller_auth(http: httpx.AsyncClient, shop: Shop) -> dict[str, str]:
    """A new token of the marketplace's admin, for tests that move the clock past the
    bootstrap client's 60-minute AccessTokenDuration."""
    mp = shop.mp
    response = await password_token(http, mp.client_id, mp.credentials.username, ADMIN_PASSWORD)
    token: str = (await ok(response))["access_token"]
    return bearer(token)


def newcomer(**fields: Any) -> dict[str, Any]:
    body = buyer_user("carol", "carol", **fields)
    body.pop("ID")
    return body


async def register(
    http: httpx.AsyncClient, token: str, anon_user_token: str | None, body: dict[str, Any]
) -> httpx.Response:
    params = {} if anon_user_token is None else {"anonUserToken": anon_user_token}
    return await http.put("/v1/me/register", headers=bearer(token), params=params, json=body)


async def cart(http: httpx.AsyncClient, token: str) -> str:
    await ok(await http.post("/v1/orders/Outgoing", headers=bearer(token), json={}), 201)
    order_id: str = claims_of(token)["orderid"]
    return order_id
