"""Refresh tokens (spec §3.8, decisions.md "Grants and tokens"): issued with a password login
when ``RefreshTokenDuration > 0``, stored hashed, reusable (not rotated, not consumed) until
they expire, and re-checked against the client, user, company and current roles at each use."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select, update

from gatehouse.domain.errors import UnauthenticatedError
from gatehouse.runtime import Runtime
from gatehouse.storage.models import RefreshTokenRow
from tests.factories.clock import AdjustableClock
from tests.factories.marketplaces import ADMIN_PASSWORD, Marketplace, password_token
from tests.factories.refresh_tokens import (
    SECRET,
    jane_login,
    jane_shop,
    new_client,
    refresh,
)
from tests.factories.tokens import assert_oauth_error, claims_of
from tests.support.sql import written_statements

pytestmark = pytest.mark.asyncio


def roles_of(response: httpx.Response) -> list[str]:
    role = claims_of(response.json()["access_token"]).get("role", [])
    return sorted([role] if isinstance(role, str) else role)


@pytest.fixture
async def shop(
    client: httpx.AsyncClient, runtime: Runtime, marketplace: Marketplace
) -> Marketplace:
    return await jane_shop(client, runtime, marketplace)


async def test_login_returns_a_refresh_token_stored_only_as_its_hash(
    client: httpx.AsyncClient, runtime: Runtime, clock: AdjustableClock, shop: Marketplace
) -> None:
    client_id = await new_client(client, shop)
    body = await jane_login(client, client_id)
    assert set(body) == {"access_token", "token_type", "expires_in", "refresh_token"}
    token = body["refresh_token"]
    assert len(token) >= 43  # 256 bits, base64url
    digest = hashlib.sha256(token.encode()).hexdigest()
    async with runtime.db.read() as session:
        rows = (
            await session.scalars(
                select(RefreshTokenRow).where(RefreshTokenRow.api_client_id == client_id)
            )
        ).all()
    assert [row.token_sha256 for row in rows] == [digest]
    assert sorted(rows[0].roles) == ["OrderReader", "Shopper"]
    lifetime = rows[0].expires_at - rows[0].created_at
    assert lifetime == timedelta(minutes=60)
    assert abs(rows[0].created_at - clock.now()) < timedelta(seconds=30)


async def test_no_refresh_token_when_the_duration_is_zero(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    response = await password_token(
        client, marketplace.client_id, marketplace.credentials.username, ADMIN_PASSWORD
    )
    assert "refresh_token" not in response.json()


async def test_the_same_refresh_token_works_again_and_again(
    client: httpx.AsyncClient, runtime: Runtime, shop: Marketplace
) -> None:
    client_id = await new_client(client, shop)
    login = await jane_login(client, client_id)
    original = claims_of(login["access_token"])
    for _ in range(3):
        with written_statements(runtime.db) as writes:
            response = await refresh(client, client_id, login["refresh_token"])
        assert response.status_code == 200, response.text
        assert writes == []
        body = response.json()
        assert set(body) == {"access_token", "token_type", "expires_in", "refresh_token"}
        assert body["refresh_token"] == login["refresh_token"]  # not rotated: the same one
        assert body["expires_in"] == 20 * 60 - 1
        claims = claims_of(body["access_token"])
        assert list(claims) == list(original)
        for name in ("usr", "cid", "u", "usrtype", "role"):
            assert claims[name] == original[name]
        assert claims["exp"] - claims["nbf"] == 20 * 60


async def test_roles_shrink_with_the_users_and_never_grow(
    client: httpx.AsyncClient, shop: Marketplace
) -> None:
    client_id = await new_client(client, shop)
    token = (await jane_login(client, client_id))["refresh_token"]
    assert roles_of(await refresh(client, client_id, token)) == ["OrderReader", "Shopper"]
    await client.post(
        "/v1/securityprofiles/assignments",
        headers=shop.auth,
        json={"SecurityProfileID": "me", "BuyerID": "buyer-a", "UserID": "jane"},
    )
    assert roles_of(await refresh(client, client_id, token)) == ["OrderReader", "Shopper"]
    removed = await client.delete(
        "/v1/securityprofiles/orders/assignments",
        headers=shop.auth,
        params={"buyerID": "buyer-a", "userID": "jane"},
    )
    assert removed.status_code == 204, removed.text
    assert roles_of(await refresh(client, client_id, token)) == ["Shopper"]


async def test_scope_narrows_a_refresh(client: httpx.AsyncClient, shop: Marketplace) -> None:
    client_id = await new_client(client, shop)
    token = (await jane_login(client, client_id))["refresh_token"]
    narrowed = await refresh(client, client_id, token, scope="OrderReader MeAdmin")
    assert roles_of(narrowed) == ["OrderReader"]


async def test_refused_after_the_user_is_deactivated(
    client: httpx.AsyncClient, shop: Marketplace
) -> None:
    client_id = await new_client(client, shop)
    token = (await jane_login(client, client_id))["refresh_token"]
    await client.patch("/v1/buyers/buyer-a/users/jane", headers=shop.auth, json={"Active": False})
    response = await refresh(client, client_id, token)
    assert_oauth_error(response, 400, "invalid_grant", "Auth.UserNotActive")


async def test_refused_after_the_company_is_deactivated(
    client: httpx.AsyncClient, shop: Marketplace
) -> None:
    client_id = await new_client(client, shop)
    token = (await jane_login(client, client_id))["refresh_token"]
    await client.patch("/v1/buyers/buyer-a", headers=shop.auth, json={"Active": False})
    response = await refresh(client, client_id, token)
    assert_oauth_error(response, 400, "invalid_grant", "Auth.CompanyNotActive")


async def test_refused_after_the_client_is_deactivated_or_narrowed(
    client: httpx.AsyncClient, shop: Marketplace
) -> None:
    client_id = await new_client(client, shop)
    token = (await jane_login(client, client_id))["refresh_token"]
    await client.patch(
        f"/v1/apiclients/{client_id}", headers=shop.auth, json={"AllowAnyBuyer": False}
    )
    not_allowed = await refresh(client, client_id, token)
    assert_oauth_error(not_allowed, 400, "invalid_grant", "Auth.ClientNotAllowedForUser")
    await client.patch(f"/v1/apiclients/{client_id}", headers=shop.auth, json={"Active": False})
    inactive = await refresh(client, client_id, token)
    assert_oauth_error(inactive, 401, "invalid_client", "Auth.ClientNotActive")


async def test_another_clients_refresh_token_is_invalid(
    client: httpx.AsyncClient, shop: Marketplace
) -> None:
    client_a = await new_client(client, shop)
    client_b = await new_client(client, shop)
    token = (await jane_login(client, client_a))["refresh_token"]
    response = await refresh(client, client_b, token)
    assert_oauth_error(response, 400, "invalid_grant", "Auth.InvalidRefreshToken")


async def test_expiry_follows_refresh_token_duration(
    client: httpx.AsyncClient, clock: AdjustableClock, shop: Marketplace
) -> None:
    client_id = await new_client(client, shop)
    token = (await jane_login(client, client_id))["refresh_token"]
    clock.advance(timedelta(minutes=59))
    assert (await refresh(client, client_id, token)).status_code == 200
    clock.advance(timedelta(minutes=1, seconds=1))
    response = await refresh(client, client_id, token)
    assert_oauth_error(response, 400, "invalid_grant", "Auth.InvalidRefreshToken")


async def test_a_revoked_refresh_token_is_invalid(
    client: httpx.AsyncClient, runtime: Runtime, clock: AdjustableClock, shop: Marketplace
) -> None:
    client_id = await new_client(client, shop)
    token = (await jane_login(client, client_id))["refresh_token"]
    async with runtime.db.write() as session:
        await session.execute(
            update(RefreshTokenRow)
            .where(RefreshTokenRow.api_client_id == client_id)
            .values(revoked_at=clock.now())
        )
    response = await refresh(client, client_id, token)
    assert_oauth_error(response, 400, "invalid_grant", "Auth.InvalidRefreshToken")


@pytest.mark.parametrize("token", ["not-a-token", "x" * 43])
async def test_unknown_refresh_tokens(
    client: httpx.AsyncClient, shop: Marketplace, token: str
) -> None:
    client_id = await new_client(client, shop)
    response = await refresh(client, client_id, token)
    assert_oauth_error(response, 400, "invalid_grant", "Auth.InvalidRefreshToken")


async def test_a_refresh_token_is_required(client: httpx.AsyncClient, shop: Marketplace) -> None:
    client_id = await new_client(client, shop)
    response = await client.post(
        "/oauth/token", data={"grant_type": "refresh_token", "client_id": client_id}
    )
    assert_oauth_error(response, 400, "invalid_request", "Auth.RefreshTokenRequired")


async def test_a_client_with_a_secret_needs_it_to_refresh(
    client: httpx.AsyncClient, shop: Marketplace
) -> None:
    client_id = await new_client(client, shop, ClientSecret=SECRET)
    token = (await jane_login(client, client_id, client_secret=SECRET))["refresh_token"]
    for extra in ({}, {"client_secret": "wrong"}):
        response = await refresh(client, client_id, token, **extra)
        assert_oauth_error(response, 401, "invalid_client", "Auth.InvalidClientSecret")
    assert (await refresh(client, client_id, token, client_secret=SECRET)).status_code == 200


async def test_a_new_access_token_verifies_after_the_old_one_expired(
    client: httpx.AsyncClient, runtime: Runtime, clock: AdjustableClock, shop: Marketplace
) -> None:
    """An access token expires after AccessTokenDuration; its refresh token outlives it."""
    client_id = await new_client(client, shop)
    login = await jane_login(client, client_id)
    clock.advance(timedelta(minutes=21))
    with pytest.raises(UnauthenticatedError):
        await runtime.codec.verify(login["access_token"])
    fresh = (await refresh(client, client_id, login["refresh_token"])).json()["access_token"]
    claims = await runtime.codec.verify(fresh)
    assert claims["usr"] == "jane"
