"""A buyer user ``jane`` with a storefront client that issues refresh tokens, and the refresh
grant as the SDKs send it."""

from __future__ import annotations

from typing import Any

import httpx

from gatehouse.runtime import Runtime
from tests.factories.companies import add_companies
from tests.factories.marketplaces import Marketplace

PASSWORD = "Passw0rdPassw0rd"


SECRET = "refresh-secret-value"


async def new_client(http: httpx.AsyncClient, mp: Marketplace, **fields: Any) -> str:
    body = {
        "AppName": "Storefront",
        "AccessTokenDuration": 20,
        "RefreshTokenDuration": 60,
        "AllowAnyBuyer": True,
        **fields,
    }
    created = await http.post("/v1/apiclients", headers=mp.auth, json=body)
    assert created.status_code == 201, created.text
    client_id: str = created.json()["ID"]
    return client_id


async def refresh(
    http: httpx.AsyncClient, client_id: str, token: str, **extra: str
) -> httpx.Response:
    form = {"grant_type": "refresh_token", "client_id": client_id, "refresh_token": token}
    return await http.post("/oauth/token", data={**form, **extra})


async def jane_login(http: httpx.AsyncClient, client_id: str, **extra: str) -> dict[str, Any]:
    form = {
        "grant_type": "password",
        "client_id": client_id,
        "username": "jane",
        "password": PASSWORD,
    }
    response = await http.post("/oauth/token", data={**form, **extra})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def jane_shop(
    client: httpx.AsyncClient, runtime: Runtime, marketplace: Marketplace
) -> Marketplace:
    """Buyer user ``jane`` of ``buyer-a``: Shopper (company level) and OrderReader (user level)."""
    await add_companies(runtime, marketplace, "buyer", "buyer-a")
    for profile in (
        {"ID": "shop", "Name": "Shop", "Roles": ["Shopper"]},
        {"ID": "orders", "Name": "Orders", "Roles": ["OrderReader"]},
        {"ID": "me", "Name": "Me", "Roles": ["MeAdmin"]},
    ):
        await client.post("/v1/securityprofiles", headers=marketplace.auth, json=profile)
    user = {
        "ID": "jane",
        "Username": "jane",
        "Password": PASSWORD,
        "FirstName": "J",
        "LastName": "D",
        "Email": "jane@example.com",
        "Active": True,
    }
    created = await client.post("/v1/buyers/buyer-a/users", headers=marketplace.auth, json=user)
    assert created.status_code == 201, created.text
    for assignment in (
        {"SecurityProfileID": "shop", "BuyerID": "buyer-a"},
        {"SecurityProfileID": "orders", "BuyerID": "buyer-a", "UserID": "jane"},
    ):
        saved = await client.post(
            "/v1/securityprofiles/assignments", headers=marketplace.auth, json=assignment
        )
        assert saved.status_code == 204, saved.text
    return marketplace
