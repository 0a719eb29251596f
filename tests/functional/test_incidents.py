"""Targeted incident response on one API client (issue 5): revoke every token of one client,
rotate its secret with overlap, deactivate it — while every other client's tokens and logins
keep working."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from gatehouse.runtime import Runtime
from tests.factories.client_credentials import SECRET, client_credentials, dcu_shop, new_client
from tests.factories.clock import AdjustableClock
from tests.factories.marketplaces import Marketplace
from tests.factories.refresh_tokens import refresh

pytestmark = pytest.mark.asyncio


async def me(http: httpx.AsyncClient, token: str) -> tuple[int, str | None]:
    response = await http.get("/v1/me", headers={"Authorization": f"Bearer {token}"})
    code = None if response.status_code == 200 else response.json()["Errors"][0]["ErrorCode"]
    return response.status_code, code


async def token_of(http: httpx.AsyncClient, client_id: str, secret: str = SECRET) -> str:
    response = await client_credentials(http, client_id, secret)
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


async def test_revoking_one_clients_tokens_leaves_other_clients_alone(
    client: httpx.AsyncClient, shop: Marketplace
) -> None:
    target = await new_client(client, shop, RefreshTokenDuration=60)
    bystander = await new_client(client, shop)
    hit, kept = await token_of(client, target), await token_of(client, bystander)
    login = await client.post(
        "/oauth/token",
        data={
            "grant_type": "password",
            "client_id": target,
            "client_secret": SECRET,
            "username": "dcu-user",
            "password": "Passw0rdPassw0rd",
        },
    )
    refresh_token = login.json()["refresh_token"]
    response = await client.delete(f"/gatehouse/apiclients/{target}/tokens", headers=shop.auth)
    assert response.status_code == 204
    assert await me(client, hit) == (401, "Auth.TokenRevoked")
    assert await me(client, login.json()["access_token"]) == (401, "Auth.TokenRevoked")
    assert (await refresh(client, target, refresh_token, client_secret=SECRET)).status_code == 400
    # The same user through another client, and the admin, are untouched.
    assert await me(client, kept) == (200, None)
    assert await me(client, shop.token) == (200, None)
    # The client itself works again at once for new tokens.
    assert await me(client, await token_of(client, target)) == (200, None)
    trail = await client.get(
        "/gatehouse/audit",
        headers=shop.auth,
        params={"eventType": "tokens.revoked", "clientID": target},
    )
    assert trail.status_code == 200, trail.text
    [event] = trail.json()["Items"]
    assert event["Details"]["Scope"] == "client"


async def test_revoking_an_unknown_client_is_not_found(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    response = await client.delete("/gatehouse/apiclients/nope/tokens", headers=marketplace.auth)
    assert response.status_code == 404
    assert response.json()["Errors"][0]["Data"] == {"ObjectType": "ApiClient", "ObjectID": "nope"}


async def rotate(http: httpx.AsyncClient, mp: Marketplace, client_id: str, **body: Any) -> Any:
    return await http.post(
        f"/gatehouse/apiclients/{client_id}/secrets/rotate", headers=mp.auth, json=body
    )


async def named_secret(http: httpx.AsyncClient, mp: Marketplace, client_id: str) -> str:
    created = await http.post(
        f"/v1/apiclients/{client_id}/secrets", headers=mp.auth, json={"Name": "first"}
    )
    assert created.status_code == 201, created.text
    value: str = created.json()["ClientSecret"]
    return value


async def test_rotation_keeps_the_old_secret_for_the_overlap_only(
    client: httpx.AsyncClient, shop: Marketplace, clock: AdjustableClock
) -> None:
    target = await new_client(client, shop, ClientSecret=None)
    bystander = await new_client(client, shop, ClientSecret=None)
    old, other = (
        await named_secret(client, shop, target),
        await named_secret(client, shop, bystander),
    )
    response = await rotate(client, shop, target, Name="v2", OldSecretsExpireInMinutes=30)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["ReplacedSecrets"] == 1 and body["LegacyClientSecretSet"] is False
    assert body["Secret"]["Name"] == "v2" and body["Secret"]["Expiration"] is None
    new = body["Secret"]["ClientSecret"]
    assert len(new) >= 43 and new != old
    await token_of(client, target, old)  # the overlap
    await token_of(client, target, new)
    clock.advance(timedelta(minutes=31))
    refused = await client_credentials(client, target, old)
    assert refused.status_code == 401
    assert refused.json()["Errors"][0]["ErrorCode"] == "Auth.InvalidClientSecret"
    await token_of(client, target, new)
    await token_of(client, bystander, other)  # no collateral
    listed = await client.get(f"/v1/apiclients/{target}/secrets", headers=shop.auth)
    assert all("ClientSecret" not in item for item in listed.json()["Items"])


async def test_a_zero_overlap_refuses_the_old_secret_at_once_and_legacy_is_reported(
    client: httpx.AsyncClient, shop: Marketplace
) -> None:
    target = await new_client(client, shop)  # has a legacy ClientSecret
    old = await named_secret(client, shop, target)
    response = await rotate(client, shop, target, OldSecretsExpireInMinutes=0)
    assert response.status_code == 201, response.text
    assert response.json()["LegacyClientSecretSet"] is True
    assert (await client_credentials(client, target, old)).status_code == 401
    await token_of(client, target, SECRET)  # the legacy secret has no expiry: remove it by hand
    await token_of(client, target, response.json()["Secret"]["ClientSecret"])


@pytest.mark.parametrize("overlap", [-1, 43201, "60", 1.5, True])
async def test_bad_overlaps_are_refused(
    client: httpx.AsyncClient, shop: Marketplace, overlap: object
) -> None:
    target = await new_client(client, shop)
    response = await rotate(client, shop, target, OldSecretsExpireInMinutes=overlap)
    assert response.status_code == 400, response.text
    listed = await client.get(f"/v1/apiclients/{target}/secrets", headers=shop.auth)
    assert listed.json()["Items"] == []  # nothing half-done


async def test_rotation_respects_the_ten_secret_limit(
    client: httpx.AsyncClient, shop: Marketplace
) -> None:
    target = await new_client(client, shop)
    for _ in range(10):
        await named_secret(client, shop, target)
    response = await rotate(client, shop, target, OldSecretsExpireInMinutes=5)
    assert response.status_code == 400
    assert (
        response.json()["Errors"][0]["ErrorCode"] == "ApiClientSecret.MaximumClientSecretsReached"
    )
    assert (await rotate(client, shop, "unknown-client")).status_code == 404


async def test_deactivating_one_client_leaves_the_others_working(
    client: httpx.AsyncClient, shop: Marketplace
) -> None:
    target, bystander = await new_client(client, shop), await new_client(client, shop)
    hit, kept = await token_of(client, target), await token_of(client, bystander)
    off = await client.patch(f"/v1/apiclients/{target}", headers=shop.auth, json={"Active": False})
    assert off.status_code == 200
    assert await me(client, hit) == (401, "InvalidToken")
    refused = await client_credentials(client, target)
    assert refused.json()["Errors"][0]["ErrorCode"] == "Auth.ClientNotActive"
    assert await me(client, kept) == (200, None)
    assert await me(client, await token_of(client, bystander)) == (200, None)


@pytest.fixture
async def shop(
    client: httpx.AsyncClient, runtime: Runtime, marketplace: Marketplace
) -> Marketplace:
    return await dcu_shop(client, runtime, marketplace)
