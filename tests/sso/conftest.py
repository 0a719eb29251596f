"""Fixtures of the SSO tests: a fake-but-real HTTP identity provider, a real integration-event
receiver, and a marketplace with a storefront client, buyers, a security profile, an event and
a config wired to them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import pytest_asyncio

from tests.factories.marketplaces import Marketplace
from tests.factories.sso import HASH_KEY, Sso, ok
from tests.sso.fake_idp import FakeIdp
from tests.sso.receiver import Receiver

APP_START = "https://shop.example/app{2}?token={0}&idp={1}&refresh={3}&idprefresh={4}"


@pytest.fixture
def idp() -> Iterator[FakeIdp]:
    server = FakeIdp().start()
    yield server
    server.stop()


@pytest_asyncio.fixture
async def receiver(client: httpx.AsyncClient) -> AsyncIterator[Receiver]:
    loop = asyncio.get_running_loop()

    def create_user(token: str, buyer: str, user: dict[str, Any]) -> int:
        call = client.post(
            f"/v1/buyers/{buyer}/users", headers={"Authorization": f"Bearer {token}"}, json=user
        )
        return asyncio.run_coroutine_threadsafe(call, loop).result(10).status_code

    server = Receiver(HASH_KEY, create_user).start()
    yield server
    server.stop()


async def build_marketplace(http: httpx.AsyncClient, mp: Marketplace) -> str:
    """Buyers b1 and b2 with Shopper/MeAdmin users; a storefront client assigned to b1 only;
    the bootstrap client's default context user is the admin (elevated tokens)."""
    for buyer in ("b1", "b2"):
        await ok(
            await http.post(
                "/v1/buyers", headers=mp.auth, json={"ID": buyer, "Name": buyer, "Active": True}
            ),
            201,
        )
        profile = {"SecurityProfileID": "shopper", "BuyerID": buyer}
        if buyer == "b1":
            body = {"ID": "shopper", "Name": "Shopper", "Roles": ["Shopper", "MeAdmin"]}
            await ok(await http.post("/v1/securityprofiles", headers=mp.auth, json=body), 201)
        await ok(
            await http.post("/v1/securityprofiles/assignments", headers=mp.auth, json=profile), 204
        )
    store = {"AppName": "Buyer portal", "AccessTokenDuration": 30, "RefreshTokenDuration": 60}
    client_id: str = (
        await ok(await http.post("/v1/apiclients", headers=mp.auth, json=store), 201)
    )["ID"]
    assignment = {"ApiClientID": client_id, "BuyerID": "b1"}
    await ok(await http.post("/v1/apiclients/assignments", headers=mp.auth, json=assignment), 204)
    default_user = {"DefaultContextUserName": mp.credentials.username}
    await ok(await http.patch(f"/v1/apiclients/{mp.client_id}", headers=mp.auth, json=default_user))
    return client_id


@pytest_asyncio.fixture
async def sso(
    client: httpx.AsyncClient, marketplace: Marketplace, idp: FakeIdp, receiver: Receiver
) -> Sso:
    client_id = await build_marketplace(client, marketplace)
    event = {
        "ID": "oidc-event",
        "Name": "Create SSO users",
        "EventType": "OpenIDConnect",
        "CustomImplementationUrl": receiver.url,
        "HashKey": HASH_KEY,
        "ElevatedRoles": ["BuyerUserAdmin"],
        "ConfigData": {"BuyerID": "b1"},
    }
    await ok(await client.post("/v1/integrationEvents", headers=marketplace.auth, json=event), 201)
    config = {
        "ID": "google",
        "OrderCloudApiClientID": client_id,
        "ConnectClientID": idp.client_id,
        "ConnectClientSecret": idp.client_secret,
        "AppStartUrl": APP_START,
        "AuthorizationEndpoint": f"{idp.issuer}/authorize",
        "TokenEndpoint": f"{idp.issuer}/token",
        "IntegrationEventID": "oidc-event",
    }
    await ok(await client.post("/v1/openidconnects", headers=marketplace.auth, json=config), 201)
    return Sso(client, marketplace, idp, receiver, client_id)
