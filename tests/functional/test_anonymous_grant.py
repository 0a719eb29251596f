"""The anonymous shopping grant (spec §3.9): client_credentials on an IsAnonBuyer client, and
the rule that such a client's default context user is a buyer user."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import update

from gatehouse.runtime import Runtime
from gatehouse.storage.invalidation import client_key, invalidate
from gatehouse.storage.models import ApiClientRow
from tests.factories.anonymous import (
    ANON_MINUTES,
    TEMPLATE,
    Shop,
    anonymous_token,
    assert_error,
    bearer,
    build_shop,
    ok,
)
from tests.factories.clock import AdjustableClock
from tests.factories.marketplaces import Marketplace
from tests.factories.tokens import assert_oauth_error, claims_of
from tests.support.sql import written_statements

pytestmark = pytest.mark.asyncio
ORDER_ID = re.compile(r"[A-Za-z0-9_-]{22}")


@pytest.fixture
async def shop(client: httpx.AsyncClient, runtime: Runtime, marketplace: Marketplace) -> Shop:
    return await build_shop(client, runtime, marketplace)


async def test_token_is_a_fresh_temporary_copy_of_the_template(
    client: httpx.AsyncClient, shop: Shop, runtime: Runtime
) -> None:
    with written_statements(runtime.db) as writes:
        response = await anonymous_token(client, shop.anon_client)
    assert writes == []  # the temporary user is the token itself: nothing is stored
    body = await ok(response)
    assert set(body) == {"access_token", "token_type", "expires_in"}  # never a refresh token
    assert body["expires_in"] == ANON_MINUTES * 60 - 1
    claims = claims_of(body["access_token"])
    assert list(claims) == [
        *["usr", "cid", "orderid", "usrtype", "role", "iss", "aud", "exp", "nbf"],
        *["iat", "jti", "sub", "client_id", "scope"],  # RFC 9068, after OrderCloud's
    ]
    assert claims["usr"] == TEMPLATE
    assert claims["cid"] == shop.anon_client
    assert claims["usrtype"] == "buyer"
    assert ORDER_ID.fullmatch(claims["orderid"])
    assert sorted(claims["role"]) == ["MeAdmin", "MeXpAdmin", "PasswordReset", "Shopper"]
    assert claims["exp"] - claims["nbf"] == ANON_MINUTES * 60
    again = claims_of((await ok(await anonymous_token(client, shop.anon_client)))["access_token"])
    assert again["orderid"] != claims["orderid"]


async def test_scope_narrows_and_anonuserid_is_carried(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    response = await anonymous_token(
        client, shop.anon_client, scope="Shopper OrderAdmin", anonuserid="visitor-42_x"
    )
    claims = claims_of((await ok(response))["access_token"])
    assert claims["role"] == "Shopper"
    assert claims["anonuserid"] == "visitor-42_x"
    assert list(claims)[2:4] == ["orderid", "anonuserid"]


@pytest.mark.parametrize("value", ["a b", "x" * 101, "ümlaut", "a/b", "a.b"])
async def test_bad_anonuserid_is_refused(client: httpx.AsyncClient, shop: Shop, value: str) -> None:
    response = await anonymous_token(client, shop.anon_client, anonuserid=value)
    assert_oauth_error(response, 400, "invalid_request", "Auth.InvalidAnonUserID")


async def test_the_token_expires_after_anonymous_token_duration(
    client: httpx.AsyncClient, shop: Shop, clock: AdjustableClock
) -> None:
    token = (await ok(await anonymous_token(client, shop.anon_client)))["access_token"]
    await ok(await client.get("/v1/me", headers=bearer(token)))
    clock.advance(timedelta(minutes=ANON_MINUTES) - timedelta(seconds=5))
    await ok(await client.get("/v1/me", headers=bearer(token)))
    clock.advance(timedelta(seconds=10))
    assert_error(await client.get("/v1/me", headers=bearer(token)), 401, "InvalidToken")


async def test_a_secret_on_an_anonymous_client_is_required(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    patched = await client.patch(
        f"/v1/apiclients/{shop.anon_client}", headers=shop.auth, json={"ClientSecret": "s3cret"}
    )
    await ok(patched)
    for secret in (None, "wrong"):
        form = {} if secret is None else {"client_secret": secret}
        response = await anonymous_token(client, shop.anon_client, **form)
        assert_oauth_error(response, 401, "invalid_client", "Auth.InvalidClientSecret")
    await ok(await anonymous_token(client, shop.anon_client, client_secret="s3cret"))


async def test_the_template_must_be_allowed_and_active(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    url = f"/v1/apiclients/{shop.anon_client}"
    await ok(await client.patch(url, headers=shop.auth, json={"AllowAnyBuyer": False}))
    response = await anonymous_token(client, shop.anon_client)
    assert_oauth_error(response, 400, "invalid_grant", "Auth.ClientNotAllowedForUser")
    assignment = {"ApiClientID": shop.anon_client, "BuyerID": "buyer-a"}
    await ok(
        await client.post("/v1/apiclients/assignments", headers=shop.auth, json=assignment), 204
    )
    await ok(await anonymous_token(client, shop.anon_client))
    await ok(
        await client.patch(
            "/v1/buyers/buyer-a/users/template", headers=shop.auth, json={"Active": False}
        )
    )
    response = await anonymous_token(client, shop.anon_client)
    assert_oauth_error(response, 400, "invalid_grant", "Auth.UserNotActive")


async def test_minimum_roles_apply_to_the_template(client: httpx.AsyncClient, shop: Shop) -> None:
    url = f"/v1/apiclients/{shop.anon_client}"
    await ok(
        await client.patch(url, headers=shop.auth, json={"MinimumRequiredRoles": ["OrderAdmin"]})
    )
    response = await anonymous_token(client, shop.anon_client)
    assert_oauth_error(response, 400, "invalid_grant", "Auth.InsufficientRoles")


async def test_anonymous_clients_need_a_buyer_default_context_user(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    admin = shop.mp.credentials.username
    base = {
        "AppName": "Anon",
        "AccessTokenDuration": 30,
        "AllowAnyBuyer": True,
        "IsAnonBuyer": True,
    }
    for extra in ({}, {"DefaultContextUserName": admin}):
        created = await client.post("/v1/apiclients", headers=shop.auth, json={**base, **extra})
        error = assert_error(created, 400, "ApiClient.RequiredNotAnonBuyer")
        assert error["Data"] == {"Field": "DefaultContextUserName"}
    url = f"/v1/apiclients/{shop.anon_client}"
    for change in ({"DefaultContextUserName": admin}, {"DefaultContextUserName": None}):
        patched = await client.patch(url, headers=shop.auth, json=change)
        assert_error(patched, 400, "ApiClient.RequiredNotAnonBuyer")
    replaced = await client.put(
        url, headers=shop.auth, json={**base, "DefaultContextUserName": admin}
    )
    assert_error(replaced, 400, "ApiClient.RequiredNotAnonBuyer")
    plain = await ok(
        await client.post(
            "/v1/apiclients",
            headers=shop.auth,
            json={**base, "IsAnonBuyer": False, "DefaultContextUserName": admin},
        ),
        201,
    )
    turned = await client.patch(
        f"/v1/apiclients/{plain['ID']}", headers=shop.auth, json={"IsAnonBuyer": True}
    )
    assert_error(turned, 400, "ApiClient.RequiredNotAnonBuyer")
    # the client is unchanged after every refusal
    current = await ok(await client.get(url, headers=shop.auth))
    assert current["DefaultContextUserName"] == TEMPLATE and current["IsAnonBuyer"] is True


async def test_a_renamed_or_non_buyer_template_is_refused(
    client: httpx.AsyncClient, shop: Shop, runtime: Runtime
) -> None:
    renamed = await client.patch(
        "/v1/buyers/buyer-a/users/template", headers=shop.auth, json={"Username": "renamed"}
    )
    await ok(renamed)
    response = await anonymous_token(client, shop.anon_client)
    assert_oauth_error(response, 400, "invalid_grant", "Auth.DefaultContextUserNotFound")
    # a row written before the rule existed (or by hand): the grant still checks it
    async with runtime.db.write() as session:
        await session.execute(
            update(ApiClientRow)
            .where(ApiClientRow.id == shop.anon_client)
            .values(default_context_username=shop.mp.credentials.username, allow_seller=True)
        )
        # Hand edits must announce themselves like every service write, or running
        # processes keep the client they cached.
        await invalidate(session, client_key(shop.anon_client))
    response = await anonymous_token(client, shop.anon_client)
    assert_oauth_error(response, 400, "invalid_grant", "ApiClient.RequiredNotAnonBuyer")
