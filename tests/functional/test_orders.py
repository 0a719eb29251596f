"""Orders, enough for a cart (spec §6.2): registered buyers, sellers and anonymous shoppers,
who sees which order, and every refusal."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from gatehouse.runtime import Runtime
from tests.factories.anonymous import (
    TEMPLATE,
    Shop,
    anon,
    assert_error,
    bearer,
    build_shop,
    fresh_seller_auth,
    login,
    ok,
)
from tests.factories.clock import AdjustableClock
from tests.factories.marketplaces import Marketplace
from tests.factories.tokens import claims_of

pytestmark = pytest.mark.asyncio


@pytest.fixture
async def shop(client: httpx.AsyncClient, runtime: Runtime, marketplace: Marketplace) -> Shop:
    return await build_shop(client, runtime, marketplace)


def ids(page: dict[str, Any]) -> list[str]:
    return [item["ID"] for item in page["Items"]]


async def test_a_buyer_creates_reads_patches_and_deletes_its_cart(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    alice = bearer(await login(client, shop, "alice"))
    created = await ok(
        await client.post(
            "/v1/orders/Outgoing",
            headers=alice,
            json={"ID": "cart-1", "Comments": "hi", "xp": {"a": 1}},
        ),
        201,
    )
    assert created["ID"] == "cart-1"
    assert created["FromUserID"] == "alice"
    assert created["FromUser"]["Username"] == "alice"
    assert created["FromCompanyID"] == "buyer-a"
    assert created["ToCompanyID"] == shop.mp.id
    assert created["Status"] == "Unsubmitted"
    assert created["IsSubmitted"] is False
    assert created["LineItemCount"] == 0
    assert created["Total"] == created["Subtotal"] == created["PromotionDiscount"] == 0
    assert created["Comments"] == "hi" and created["xp"] == {"a": 1}
    assert created["DateCreated"] and created["LastUpdated"]
    got = await ok(await client.get("/v1/orders/outgoing/cart-1", headers=alice))
    assert got == created
    patched = await ok(
        await client.patch(
            "/v1/orders/Outgoing/cart-1", headers=alice, json={"Comments": "x", "xp": {"b": 2}}
        )
    )
    assert patched["Comments"] == "x" and patched["xp"] == {"a": 1, "b": 2}
    listed = await ok(await client.get("/v1/orders/Outgoing", headers=alice))
    assert ids(listed) == ["cart-1"]
    assert ids(await ok(await client.get("/v1/me/orders", headers=alice))) == ["cart-1"]
    assert ids(await ok(await client.get("/v1/orders/Incoming", headers=alice))) == []
    await ok(await client.delete("/v1/orders/Outgoing/cart-1", headers=alice), 204)
    missing = await client.get("/v1/orders/Outgoing/cart-1", headers=alice)
    assert_error(missing, 404, "NotFound")


async def test_generated_ids_duplicates_and_bad_input(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    alice = bearer(await login(client, shop, "alice"))
    generated = await ok(await client.post("/v1/orders/Outgoing", headers=alice, json={}), 201)
    assert len(generated["ID"]) == 22
    await ok(await client.post("/v1/orders/Outgoing", headers=alice, json={"ID": "dup"}), 201)
    duplicate = await client.post("/v1/orders/Outgoing", headers=alice, json={"ID": "dup"})
    assert_error(duplicate, 409, "IdExists")
    for body, field in (
        ({"ID": "bad id"}, "ID"),
        ({"ID": "x" * 101}, "ID"),
        ({"Comments": "c" * 2001}, "Comments"),
        ({"ToCompanyID": "buyer-b"}, "ToCompanyID"),
    ):
        refused = await client.post("/v1/orders/Outgoing", headers=alice, json=body)
        assert assert_error(refused, 400, "ValidationFailure")["Data"]["Field"] == field
    wrong_type = await client.post("/v1/orders/Outgoing", headers=alice, json={"Comments": 5})
    assert wrong_type.status_code == 400
    for direction in ("Sideways", "All"):
        refused = await client.post(f"/v1/orders/{direction}", headers=alice, json={})
        assert_error(refused, 404, "NotFound")
    assert_error(await client.get("/v1/orders/Sideways", headers=alice), 404, "NotFound")
    incoming = await client.post("/v1/orders/Incoming", headers=alice, json={})
    assert_error(incoming, 400, "ValidationFailure")
    by_seller = await client.post("/v1/orders/Outgoing", headers=shop.auth, json={})
    assert_error(by_seller, 400, "ValidationFailure")
    rename = await client.patch("/v1/orders/Outgoing/dup", headers=alice, json={"ID": "renamed"})
    assert (await ok(rename))["ID"] == "renamed"
    clash = await client.patch(
        "/v1/orders/Outgoing/renamed", headers=alice, json={"ID": generated["ID"]}
    )
    assert_error(clash, 409, "IdExists")


async def test_who_sees_which_orders(client: httpx.AsyncClient, shop: Shop) -> None:
    alice = bearer(await login(client, shop, "alice"))
    bob = bearer(await login(client, shop, "bob"))
    await ok(await client.post("/v1/orders/Outgoing", headers=alice, json={"ID": "a1"}), 201)
    await ok(await client.post("/v1/orders/Outgoing", headers=bob, json={"ID": "b1"}), 201)
    assert ids(await ok(await client.get("/v1/orders/Outgoing", headers=bob))) == ["b1"]
    assert_error(await client.get("/v1/orders/Outgoing/a1", headers=bob), 404, "NotFound")
    assert_error(
        await client.patch("/v1/orders/Outgoing/a1", headers=bob, json={}), 404, "NotFound"
    )
    assert_error(await client.delete("/v1/orders/Outgoing/a1", headers=bob), 404, "NotFound")
    seller = shop.auth
    assert ids(await ok(await client.get("/v1/orders/Incoming", headers=seller))) == ["a1", "b1"]
    assert ids(await ok(await client.get("/v1/orders/All", headers=seller))) == ["a1", "b1"]
    assert ids(await ok(await client.get("/v1/orders/Outgoing", headers=seller))) == []
    filtered = await ok(await client.get("/v1/orders/Incoming?FromUserID=bob", headers=seller))
    assert ids(filtered) == ["b1"]
    await ok(await client.get("/v1/orders/Incoming/a1", headers=seller))
    assert_error(await client.get("/v1/orders/Outgoing/a1", headers=seller), 404, "NotFound")
    await ok(await client.patch("/v1/orders/Incoming/a1", headers=seller, json={"Comments": "s"}))
    assert ids(await ok(await client.get("/v1/me/orders", headers=seller))) == []


async def test_an_anonymous_shopper_has_exactly_its_own_cart(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    token = await anon(client, shop)
    order_id = claims_of(token)["orderid"]
    shopper = bearer(token)
    alice = bearer(await login(client, shop, "alice"))
    await ok(await client.post("/v1/orders/Outgoing", headers=alice, json={"ID": "a1"}), 201)
    other = await client.post("/v1/orders/Outgoing", headers=shopper, json={"ID": "mine"})
    assert_error(other, 403, "Auth.AnonUserProhibited")
    created = await ok(await client.post("/v1/orders/Outgoing", headers=shopper, json={}), 201)
    assert created["ID"] == order_id
    assert created["FromUser"]["Username"] == TEMPLATE
    assert created["FromCompanyID"] == "buyer-a"
    again = await client.post("/v1/orders/Outgoing", headers=shopper, json={"ID": order_id})
    assert_error(again, 409, "IdExists")
    await ok(await client.get(f"/v1/orders/Outgoing/{order_id}", headers=shopper))
    assert_error(await client.get("/v1/orders/Outgoing/a1", headers=shopper), 404, "NotFound")
    assert_error(await client.delete("/v1/orders/Outgoing/a1", headers=shopper), 404, "NotFound")
    assert ids(await ok(await client.get("/v1/orders/Outgoing", headers=shopper))) == [order_id]
    assert ids(await ok(await client.get("/v1/orders/Incoming", headers=shopper))) == []
    assert ids(await ok(await client.get("/v1/me/orders", headers=shopper))) == [order_id]
    rename = await client.patch(
        f"/v1/orders/Outgoing/{order_id}", headers=shopper, json={"ID": "other"}
    )
    assert_error(rename, 403, "Auth.AnonUserProhibited")
    patched = await client.patch(
        f"/v1/orders/Outgoing/{order_id}", headers=shopper, json={"Comments": "gift"}
    )
    assert (await ok(patched))["Comments"] == "gift"
    # another anonymous shopper of the same template sees nothing of it
    stranger = bearer(await anon(client, shop))
    assert_error(
        await client.get(f"/v1/orders/Outgoing/{order_id}", headers=stranger), 404, "NotFound"
    )
    assert ids(await ok(await client.get("/v1/me/orders", headers=stranger))) == []
    # the template user itself does not see anonymous carts as its own
    template = bearer(await login(client, shop, TEMPLATE))
    assert ids(await ok(await client.get("/v1/me/orders", headers=template))) == []
    assert ids(await ok(await client.get("/v1/orders/Outgoing", headers=template))) == []
    await ok(await client.delete(f"/v1/orders/Outgoing/{order_id}", headers=shopper), 204)
    assert ids(await ok(await client.get("/v1/me/orders", headers=shopper))) == []


async def test_access_survives_an_admins_edits(client: httpx.AsyncClient, shop: Shop) -> None:
    shopper = bearer(token := await anon(client, shop))
    order_id = claims_of(token)["orderid"]
    await ok(await client.post("/v1/orders/Outgoing", headers=shopper, json={}), 201)
    seller = shop.auth
    edited = await client.patch(
        f"/v1/orders/Incoming/{order_id}",
        headers=seller,
        json={"ID": "renamed-by-admin", "Comments": "checked"},
    )
    assert (await ok(edited))["ID"] == "renamed-by-admin"
    still = await ok(await client.get(f"/v1/orders/Outgoing/{order_id}", headers=shopper))
    assert still["ID"] == "renamed-by-admin" and still["Comments"] == "checked"
    assert ids(await ok(await client.get("/v1/me/orders", headers=shopper))) == ["renamed-by-admin"]


async def test_from_and_to_bound_the_creation_date(
    client: httpx.AsyncClient, shop: Shop, clock: AdjustableClock
) -> None:
    alice = bearer(await login(client, shop, "alice"))
    await ok(await client.post("/v1/orders/Outgoing", headers=alice, json={"ID": "old"}), 201)
    clock.advance(timedelta(hours=2))
    alice = bearer(await login(client, shop, "alice"))
    await ok(await client.post("/v1/orders/Outgoing", headers=alice, json={"ID": "new"}), 201)
    cut = (clock.now() - timedelta(hours=1)).isoformat()
    after = {"from": cut}
    before = {"to": cut}
    assert ids(await ok(await client.get("/v1/me/orders", headers=alice, params=after))) == ["new"]
    assert ids(await ok(await client.get("/v1/me/orders", headers=alice, params=before))) == ["old"]
    seller = await fresh_seller_auth(client, shop)  # two hours on: the first token expired
    listed = await client.get("/v1/orders/Incoming", headers=seller, params=after)
    assert ids(await ok(listed)) == ["new"]
    long_ago = (clock.now() - timedelta(days=3)).date().isoformat()  # a date: midnight UTC
    outgoing = "/v1/orders/Outgoing"
    assert ids(await ok(await client.get(outgoing, headers=alice, params={"to": long_ago}))) == []
    since = await ok(await client.get(outgoing, headers=alice, params={"from": long_ago}))
    assert ids(since) == ["new", "old"]
    for params in ({"from": "yesterday"}, {"to": "2026-13-01"}):
        refused = await client.get("/v1/me/orders", headers=alice, params=params)
        assert assert_error(refused, 400, "ValidationFailure")["Data"]["Field"] in {"from", "to"}
