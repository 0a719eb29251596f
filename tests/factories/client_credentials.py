"""A secret-holding integration client with a default context user, and the client credentials
grant as the SDKs send it."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import quote_plus

import httpx

from gatehouse.runtime import Runtime
from tests.factories.companies import PASSWORD, add_companies
from tests.factories.marketplaces import Marketplace

SECRET = "cc-secret-value"


async def new_client(http: httpx.AsyncClient, mp: Marketplace, **fields: Any) -> str:
    body = {
        "AppName": "Integration",
        "AccessTokenDuration": 30,
        "AllowAnyBuyer": True,
        "ClientSecret": SECRET,
        "DefaultContextUserName": "dcu-user",
        **fields,
    }
    created = await http.post("/v1/apiclients", headers=mp.auth, json=body)
    assert created.status_code == 201, created.text
    client_id: str = created.json()["ID"]
    return client_id


def basic(client_id: str, secret: str) -> dict[str, str]:
    """``client_secret_basic`` (RFC 6749 §2.3.1): form-urlencode each part, then base64."""
    raw = f"{quote_plus(client_id)}:{quote_plus(secret)}".encode()
    return {"Authorization": "Basic " + base64.b64encode(raw).decode()}


async def client_credentials(
    http: httpx.AsyncClient, client_id: str, secret: str | None = SECRET, scope: str | None = None
) -> httpx.Response:
    form = {"grant_type": "client_credentials", "client_id": client_id}
    if secret is not None:
        form["client_secret"] = secret
    if scope is not None:
        form["scope"] = scope
    return await http.post("/oauth/token", data=form)


async def dcu_shop(
    client: httpx.AsyncClient, runtime: Runtime, marketplace: Marketplace
) -> Marketplace:
    """Buyer ``buyer-a`` with user ``dcu-user`` holding Shopper, MeAdmin and OrderReader."""
    await add_companies(runtime, marketplace, "buyer", "buyer-a")
    profile = {"ID": "shop", "Name": "Shop", "Roles": ["Shopper", "MeAdmin", "OrderReader"]}
    await client.post("/v1/securityprofiles", headers=marketplace.auth, json=profile)
    user = {
        "ID": "dcu",
        "Username": "dcu-user",
        "Password": PASSWORD,
        "FirstName": "D",
        "LastName": "C",
        "Email": "dcu@example.com",
        "Active": True,
    }
    created = await client.post("/v1/buyers/buyer-a/users", headers=marketplace.auth, json=user)
    assert created.status_code == 201, created.text
    assigned = await client.post(
        "/v1/securityprofiles/assignments",
        headers=marketplace.auth,
        json={"SecurityProfileID": "shop", "BuyerID": "buyer-a", "UserID": "dcu"},
    )
    assert assigned.status_code == 204, assigned.text
    return marketplace
