"""Anonymous users on Me (spec §6.2–6.4): what they may not do, ``PUT /v1/me/register`` and
``PUT /v1/me/orders`` (TransferAnonUserOrder), every refusal, single use and no partial state."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from gatehouse.runtime import Runtime
from gatehouse.storage.models import ConsumedAnonTokenRow, UserRow
from tests.factories.anonymous import (
    ANON_MINUTES,
    TEMPLATE,
    Shop,
    anon,
    assert_error,
    bearer,
    build_shop,
    buyer_user,
    cart,
    login,
    newcomer,
    ok,
    register,
)
from tests.factories.clock import AdjustableClock
from tests.factories.marketplaces import Marketplace
from tests.factories.tokens import claims_of

pytestmark = pytest.mark.asyncio


@pytest.fixture
async def shop(client: httpx.AsyncClient, runtime: Runtime, marketplace: Marketplace) -> Shop:
    return await build_shop(client, runtime, marketplace)


async def user_count(runtime: Runtime, mp: Marketplace) -> int:
    async with runtime.db.read() as session:
        found = await session.scalar(
            select(func.count()).select_from(UserRow).where(UserRow.marketplace_id == mp.id)
        )
    return int(found or 0)


async def test_anonymous_users_may_read_me_but_not_change_it(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    shopper = bearer(await anon(client, shop))
    me = await ok(await client.get("/v1/me", headers=shopper))
    assert me["Username"] == TEMPLATE and me["ID"] == "template"
    assert me["Buyer"]["ID"] == "buyer-a"
    groups = await ok(await client.get("/v1/me/usergroups", headers=shopper))
    assert [g["ID"] for g in groups["Items"]] == ["visitors"]
    for method, url, body in (
        ("PUT", "/v1/me", buyer_user("template", TEMPLATE)),
        ("PATCH", "/v1/me", {"Email": "x@example.com"}),
        ("POST", "/v1/me/password", {"NewPassword": "N3wPassw0rdN3w"}),
    ):
        refused = await client.request(method, url, headers=shopper, json=body)
        error = assert_error(refused, 403, "Auth.AnonUserProhibited")
        assert error["Message"] == "Anonymous users are prohibited from performing these actions"
    assert (await ok(await client.get("/v1/me", headers=shopper)))[
        "Email"
    ] == "template@example.com"


async def test_register_creates_the_user_moves_the_cart_and_returns_its_token(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    token = await anon(client, shop)
    order_id = await cart(client, token)
    response = await register(client, token, token, newcomer(xp={"k": "v"}))
    body = await ok(response)
    assert set(body) == {"access_token"}
    claims = claims_of(body["access_token"])
    assert claims["usr"] == "carol" and "u" in claims and "orderid" not in claims
    assert claims["cid"] == shop.anon_client
    assert sorted(claims["role"]) == ["MeAdmin", "MeXpAdmin", "PasswordReset", "Shopper"]
    assert claims["exp"] - claims["nbf"] == 30 * 60  # the client's AccessTokenDuration
    carol = bearer(body["access_token"])
    me = await ok(await client.get("/v1/me", headers=carol))
    assert me["Username"] == "carol" and me["Buyer"]["ID"] == "buyer-a" and me["xp"] == {"k": "v"}
    # the template's group and user-level profile were copied
    assert sorted(me["AvailableRoles"]) == ["MeAdmin", "MeXpAdmin", "PasswordReset", "Shopper"]
    groups = await ok(await client.get("/v1/me/usergroups", headers=carol))
    assert [g["ID"] for g in groups["Items"]] == ["visitors"]
    mine = await ok(await client.get("/v1/me/orders", headers=carol))
    assert [o["ID"] for o in mine["Items"]] == [order_id]
    assert mine["Items"][0]["FromUserID"] == me["ID"]
    # the anonymous token lost the cart, and the password works
    gone = await client.get(f"/v1/orders/Outgoing/{order_id}", headers=bearer(token))
    assert_error(gone, 404, "NotFound")
    await login(client, shop, "carol")
    # used twice: refused, and nothing is created
    second = await register(client, token, token, newcomer(Username="dave"))
    assert_error(second, 400, "Auth.MustPassAnonUserToken")


async def test_register_without_a_cart_and_with_a_separate_anon_user_token(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    """Headstart passes a freshly requested anonymous token as ``anonUserToken``."""
    shopper = await anon(client, shop)
    fresh = await anon(client, shop)
    body = await ok(await register(client, shopper, fresh, newcomer(Password=None)))
    assert claims_of(body["access_token"])["usr"] == "carol"
    # both tokens are spent
    for bearer_token, anon_token in (
        (shopper, await anon(client, shop)),
        (await anon(client, shop), fresh),
    ):
        again = await register(client, bearer_token, anon_token, newcomer(Username="dave"))
        assert again.status_code == 400, again.text


async def test_register_refusals_leave_nothing_behind(
    client: httpx.AsyncClient, shop: Shop, runtime: Runtime, clock: AdjustableClock
) -> None:
    token = await anon(client, shop)
    order_id = await cart(client, token)
    before = await user_count(runtime, shop.mp)
    alice = await login(client, shop, "alice")
    admin_token = shop.mp.token
    cases: list[tuple[str, str | None, dict[str, Any], int, str]] = [
        (token, None, newcomer(), 400, "Auth.MustPassAnonUserToken"),
        (token, "not-a-token", newcomer(), 400, "Auth.MustPassAnonUserToken"),
        (token, token[:-4] + "AAAA", newcomer(), 400, "Auth.MustPassAnonUserToken"),
        (token, alice, newcomer(), 400, "Auth.MustPassAnonUserToken"),
        (token, "x" * 9000, newcomer(), 400, "Auth.MustPassAnonUserToken"),
        (alice, token, newcomer(), 400, "User.IsNotTemp"),
        (admin_token, token, newcomer(), 400, "User.IsNotTemp"),
        (token, token, newcomer(Username="alice"), 409, "User.UsernameMustBeUnique"),
        (token, token, newcomer(Username="ALICE"), 409, "User.UsernameMustBeUnique"),
        (token, token, {**newcomer(), "ID": "alice"}, 409, "IdExists"),
        (token, token, newcomer(Password="short"), 400, "PasswordReset.InsecurePassword"),
        (token, token, {**newcomer(), "Email": None}, 400, "RequiredField"),
        (token, token, {**newcomer(), "ID": "bad id"}, 400, "ValidationFailure"),
    ]
    for bearer_token, anon_token, body, status, code in cases:
        response = await register(client, bearer_token, anon_token, body)
        assert_error(response, status, code)
    assert await user_count(runtime, shop.mp) == before
    async with runtime.db.read() as session:
        consumed = await session.scalar(
            select(func.count())
            .select_from(ConsumedAnonTokenRow)
            .where(ConsumedAnonTokenRow.marketplace_id == shop.mp.id)
        )
    assert consumed == 0
    still = await ok(await client.get("/v1/me/orders", headers=bearer(token)))
    assert [o["ID"] for o in still["Items"]] == [order_id]
    # an expired anonUserToken (the bearer is still valid)
    clock.advance(timedelta(minutes=ANON_MINUTES // 2))
    later = await anon(client, shop)
    clock.advance(timedelta(minutes=ANON_MINUTES // 2 + 1))
    expired = await register(client, later, token, newcomer())
    assert_error(expired, 400, "Auth.MustPassAnonUserToken")
    # after all that, the valid request still works
    await ok(await register(client, later, later, newcomer()))


async def test_transfer_moves_the_cart_to_a_registered_user_once(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    token = await anon(client, shop)
    order_id = await cart(client, token)
    alice = bearer(await login(client, shop, "alice"))
    url = "/v1/me/orders"
    missing = await client.put(url, headers=alice)
    assert_error(missing, 400, "Auth.MustPassAnonUserToken")
    as_anonymous = await client.put(url, headers=bearer(token), params={"anonUserToken": token})
    assert_error(as_anonymous, 403, "Auth.AnonUserProhibited")
    moved = await client.put(url, headers=alice, params={"anonUserToken": token})
    assert moved.status_code == 204 and moved.content == b""
    mine = await ok(await client.get(url, headers=alice))
    assert [o["ID"] for o in mine["Items"]] == [order_id]
    assert mine["Items"][0]["FromUserID"] == "alice"
    again = await client.put(url, headers=alice, params={"anonUserToken": token})
    assert_error(again, 400, "Auth.MustPassAnonUserToken")
    assert (await ok(await client.get("/v1/me/orders", headers=bearer(token))))["Items"] == []
    # a token without a cart: 404, and it is not spent
    empty = await anon(client, shop)
    nothing = await client.put(url, headers=alice, params={"anonUserToken": empty})
    assert_error(nothing, 404, "NotFound")
    await cart(client, empty)
    bob = bearer(await login(client, shop, "bob"))
    await ok(await client.put(url, headers=bob, params={"anonUserToken": empty}), 204)
    moved_to_bob = await ok(await client.get(url, headers=bob))
    assert moved_to_bob["Items"][0]["FromCompanyID"] == "buyer-b"


async def test_only_buyer_users_take_over_a_cart(client: httpx.AsyncClient, shop: Shop) -> None:
    token = await anon(client, shop)
    order_id = await cart(client, token)
    refused = await client.put("/v1/me/orders", headers=shop.auth, params={"anonUserToken": token})
    assert_error(refused, 400, "ValidationFailure")
    still = await ok(await client.get("/v1/me/orders", headers=bearer(token)))
    assert [o["ID"] for o in still["Items"]] == [order_id]
