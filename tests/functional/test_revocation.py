"""Revocation and live-token checks (spec §3.11, decisions.md): ``DELETE /v1/me/tokens`` and
the per-user ``DELETE .../tokens``; deactivating or deleting a client, user or company stops
its tokens on the next request; verifying a cached token runs no SQL. (Several processes:
tests/e2e/test_revocation_processes.py.)"""

from __future__ import annotations

from typing import Any

import httpx
import jwt
import pytest

from gatehouse.runtime import Runtime
from tests.factories.marketplaces import ADMIN_PASSWORD, Marketplace, password_token
from tests.factories.refresh_tokens import jane_login, jane_shop, new_client, refresh
from tests.factories.revocation import INVALID, OK, REVOKED, bearer, me_status
from tests.support.sql import all_statements

pytestmark = pytest.mark.asyncio


@pytest.fixture
async def jane(client: httpx.AsyncClient, shop: Marketplace) -> dict[str, Any]:
    """jane's login through a client issuing refresh tokens, plus that client's ID."""
    client_id = await new_client(client, shop)
    return {"client_id": client_id, **await jane_login(client, client_id)}


async def test_delete_me_tokens_revokes_access_and_refresh_tokens(
    client: httpx.AsyncClient, shop: Marketplace, jane: dict[str, Any]
) -> None:
    other = await jane_login(client, jane["client_id"])
    assert await me_status(client, jane["access_token"]) == OK
    response = await client.delete("/v1/me/tokens", headers=bearer(jane["access_token"]))
    assert response.status_code == 204 and response.content == b""
    assert await me_status(client, jane["access_token"]) == REVOKED
    assert await me_status(client, other["access_token"]) == REVOKED  # every token of jane's
    refused = await refresh(client, jane["client_id"], jane["refresh_token"])
    assert refused.status_code == 400
    assert refused.json()["Errors"][0]["ErrorCode"] == "Auth.InvalidRefreshToken"
    # Logging in again works at once, even within the second of the revocation.
    again = await jane_login(client, jane["client_id"])
    assert await me_status(client, again["access_token"]) == OK
    claims = jwt.decode(again["access_token"], options={"verify_signature": False})
    assert claims["exp"] - claims["nbf"] == 20 * 60
    # The admin's own token is untouched.
    assert await me_status(client, shop.token) == OK


async def test_admin_revokes_one_users_tokens_without_collateral(
    client: httpx.AsyncClient, shop: Marketplace, jane: dict[str, Any]
) -> None:
    response = await client.delete("/v1/buyers/buyer-a/users/jane/tokens", headers=shop.auth)
    assert response.status_code == 204
    assert await me_status(client, jane["access_token"]) == REVOKED
    assert await me_status(client, shop.token) == OK


async def test_revoking_an_admin_users_tokens(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    admin = {
        "ID": "ops",
        "Username": "ops",
        "Password": ADMIN_PASSWORD,
        "FirstName": "O",
        "LastName": "P",
        "Email": "ops@example.com",
        "Active": True,
    }
    assert (await client.post("/v1/adminusers", headers=marketplace.auth, json=admin)).is_success
    login = await password_token(client, marketplace.client_id, "ops", ADMIN_PASSWORD)
    token = login.json()["access_token"]
    assert await me_status(client, token) == OK
    response = await client.delete("/v1/adminusers/ops/tokens", headers=marketplace.auth)
    assert response.status_code == 204
    assert await me_status(client, token) == REVOKED
    assert await me_status(client, marketplace.token) == OK


async def test_revoking_a_supplier_users_tokens(
    client: httpx.AsyncClient, runtime: Runtime, marketplace: Marketplace
) -> None:
    from tests.factories.companies import company_user

    _internal_id, username = await company_user(runtime, marketplace, "supplier")
    client_id = await new_client(client, marketplace, AllowAnySupplier=True)
    login = await password_token(client, client_id, username, "Passw0rdPassw0rd")
    token = login.json()["access_token"]
    assert await me_status(client, token) == OK
    wrong = await client.delete("/v1/suppliers/other/users/me/tokens", headers=marketplace.auth)
    assert wrong.status_code == 404
    response = await client.delete("/v1/suppliers/own/users/me/tokens", headers=marketplace.auth)
    assert response.status_code == 204
    assert await me_status(client, token) == REVOKED


async def test_revoking_an_unknown_user_is_not_found(
    client: httpx.AsyncClient, shop: Marketplace
) -> None:
    response = await client.delete("/v1/buyers/buyer-a/users/nobody/tokens", headers=shop.auth)
    assert response.status_code == 404
    assert response.json()["Errors"][0]["Data"] == {"ObjectType": "User", "ObjectID": "nobody"}
    response = await client.delete("/v1/adminusers/nobody/tokens", headers=shop.auth)
    assert response.status_code == 404


async def test_a_deactivated_user_s_tokens_stop_and_come_back(
    client: httpx.AsyncClient, shop: Marketplace, jane: dict[str, Any]
) -> None:
    token = jane["access_token"]
    assert await me_status(client, token) == OK
    off = {"Active": False}
    assert (
        await client.patch("/v1/buyers/buyer-a/users/jane", headers=shop.auth, json=off)
    ).is_success
    assert await me_status(client, token) == INVALID
    on = {"Active": True}
    assert (
        await client.patch("/v1/buyers/buyer-a/users/jane", headers=shop.auth, json=on)
    ).is_success
    assert await me_status(client, token) == OK  # blocked while inactive, not revoked


async def test_a_deleted_user_s_tokens_stop(
    client: httpx.AsyncClient, shop: Marketplace, jane: dict[str, Any]
) -> None:
    assert await me_status(client, jane["access_token"]) == OK
    assert (
        await client.delete("/v1/buyers/buyer-a/users/jane", headers=shop.auth)
    ).status_code == 204
    assert await me_status(client, jane["access_token"]) == INVALID


async def test_a_deactivated_or_deleted_client_s_tokens_stop_others_keep_working(
    client: httpx.AsyncClient, shop: Marketplace, jane: dict[str, Any]
) -> None:
    other_client = await new_client(client, shop)
    other = await jane_login(client, other_client)
    path = f"/v1/apiclients/{jane['client_id']}"
    assert (await client.patch(path, headers=shop.auth, json={"Active": False})).is_success
    assert await me_status(client, jane["access_token"]) == INVALID
    assert await me_status(client, other["access_token"]) == OK
    assert await me_status(client, shop.token) == OK
    assert (await client.patch(path, headers=shop.auth, json={"Active": True})).is_success
    assert await me_status(client, jane["access_token"]) == OK
    assert (await client.delete(path, headers=shop.auth)).status_code == 204
    assert await me_status(client, jane["access_token"]) == INVALID
    assert await me_status(client, other["access_token"]) == OK


async def test_a_deactivated_or_deleted_company_s_tokens_stop(
    client: httpx.AsyncClient, shop: Marketplace, jane: dict[str, Any]
) -> None:
    token = jane["access_token"]
    off = {"Active": False}
    assert (await client.patch("/v1/buyers/buyer-a", headers=shop.auth, json=off)).is_success
    assert await me_status(client, token) == INVALID
    assert await me_status(client, shop.token) == OK
    buyer = {"ID": "buyer-a", "Name": "A", "Active": True}
    assert (await client.put("/v1/buyers/buyer-a", headers=shop.auth, json=buyer)).is_success
    assert await me_status(client, token) == OK
    assert (await client.delete("/v1/buyers/buyer-a", headers=shop.auth)).status_code == 204
    assert await me_status(client, token) == INVALID
    # A new company with the same ID does not revive the deleted users' tokens.
    assert (await client.put("/v1/buyers/buyer-a", headers=shop.auth, json=buyer)).is_success
    assert await me_status(client, token) == INVALID


async def test_an_anonymous_token_may_not_revoke(
    client: httpx.AsyncClient, runtime: Runtime, shop: Marketplace, jane: dict[str, Any]
) -> None:
    claims = jwt.decode(jane["access_token"], options={"verify_signature": False})
    del claims["u"]
    claims["orderid"] = "AAAAAAAAAAAAAAAAAAAAAA"
    token = await runtime.codec.sign(claims)
    response = await client.delete("/v1/me/tokens", headers=bearer(token))
    assert response.status_code == 403
    assert response.json()["Errors"][0]["ErrorCode"] == "Auth.AnonUserProhibited"


async def test_verifying_a_cached_token_runs_no_sql(
    client: httpx.AsyncClient, runtime: Runtime, shop: Marketplace, jane: dict[str, Any]
) -> None:
    """A role refusal needs only the token: once its subjects are cached, not one query."""
    headers = bearer(jane["access_token"])
    first = await client.get("/v1/apiclients", headers=headers)
    assert first.status_code == 403
    with all_statements(runtime.db) as seen:
        again = await client.get("/v1/apiclients", headers=headers)
    assert again.status_code == 403
    assert seen == []


@pytest.fixture
async def shop(
    client: httpx.AsyncClient, runtime: Runtime, marketplace: Marketplace
) -> Marketplace:
    return await jane_shop(client, runtime, marketplace)
