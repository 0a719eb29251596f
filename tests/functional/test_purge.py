"""Purging what can never be used again: abandoned anonymous carts, spent anonymous tokens
past their expiry, expired or revoked refresh tokens; exactly those, nothing else."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select, update

from gatehouse.app import create_app
from gatehouse.crypto import sha256_hex
from gatehouse.runtime import Runtime
from gatehouse.services.purge import purge
from gatehouse.settings import Settings
from gatehouse.storage.models import ConsumedAnonTokenRow, OrderRow, RefreshTokenRow
from tests.factories.anonymous import (
    PASSWORD,
    Shop,
    anon,
    build_shop,
    cart,
    fresh_seller_auth,
    newcomer,
    ok,
    register,
)
from tests.factories.clock import AdjustableClock
from tests.factories.marketplaces import Marketplace, password_token
from tests.support.server import gatehouse

pytestmark = pytest.mark.asyncio


@pytest.fixture
async def shop(client: httpx.AsyncClient, runtime: Runtime, marketplace: Marketplace) -> Shop:
    return await build_shop(client, runtime, marketplace)


async def state(runtime: Runtime, mp: Marketplace) -> tuple[set[str], set[str], set[str]]:
    """This marketplace's order IDs, consumed token keys and refresh token hashes."""
    async with runtime.db.read() as session:
        order_ids = set(
            await session.scalars(select(OrderRow.id).where(OrderRow.marketplace_id == mp.id))
        )
        consumed = set(
            await session.scalars(
                select(ConsumedAnonTokenRow.order_key).where(
                    ConsumedAnonTokenRow.marketplace_id == mp.id
                )
            )
        )
        refresh = set(
            await session.scalars(
                select(RefreshTokenRow.token_sha256).where(RefreshTokenRow.marketplace_id == mp.id)
            )
        )
    return order_ids, consumed, refresh


async def refresh_token(http: httpx.AsyncClient, shop: Shop) -> str:
    response = await password_token(http, shop.anon_client, "alice", PASSWORD)
    token: str = (await ok(response))["refresh_token"]
    return sha256_hex(token)


async def test_purge_deletes_exactly_what_expired(
    client: httpx.AsyncClient, shop: Shop, runtime: Runtime, clock: AdjustableClock
) -> None:
    abandoned = await cart(client, await anon(client, shop))
    registered_token = await anon(client, shop)
    registered = await cart(client, registered_token)
    await ok(await register(client, registered_token, registered_token, newcomer()))
    live_refresh = await refresh_token(client, shop)
    revoked_refresh = await refresh_token(client, shop)
    async with runtime.db.write() as session:
        await session.execute(
            update(RefreshTokenRow)
            .where(RefreshTokenRow.token_sha256 == revoked_refresh)
            .values(revoked_at=clock.now())
        )
    clock.advance(timedelta(minutes=30))
    later = await cart(client, await anon(client, shop))
    await purge(runtime.db, runtime.clock)
    orders, consumed, refresh = await state(runtime, shop.mp)
    assert orders == {abandoned, registered, later}
    assert consumed == {registered}
    assert refresh == {live_refresh}
    clock.advance(timedelta(minutes=31))  # the first tokens (60 minutes) have expired
    await purge(runtime.db, runtime.clock)
    orders, consumed, refresh = await state(runtime, shop.mp)
    assert orders == {registered, later}  # the registered cart is the user's: never purged
    assert consumed == set()
    assert refresh == set()
    clock.advance(timedelta(minutes=30))
    await purge(runtime.db, runtime.clock)
    assert (await state(runtime, shop.mp))[0] == {registered}
    seller = await fresh_seller_auth(client, shop)  # 91 minutes on: the first token expired
    assert (await ok(await client.get("/v1/me/orders", headers=seller)))["Items"] == []


@pytest.mark.slow
async def test_purge_command(fresh_database_url: str) -> None:
    assert gatehouse("db", "upgrade", "--database-url", fresh_database_url).returncode == 0
    done = gatehouse("purge", "--json", "--database-url", fresh_database_url)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == (
        '{"AnonymousOrders": 0, "ConsumedAnonymousTokens": 0, "RefreshTokens": 0}'
    )


async def test_the_server_purges_periodically(
    client: httpx.AsyncClient, shop: Shop, runtime: Runtime, settings: Settings
) -> None:
    abandoned = await cart(client, await anon(client, shop))
    async with runtime.db.write() as session:
        await session.execute(
            update(OrderRow)
            .where(OrderRow.marketplace_id == shop.mp.id, OrderRow.id == abandoned)
            .values(anonymous_expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    fast = settings.model_copy(update={"purge_interval_seconds": 0.05})
    app = create_app(fast)
    async with app.router.lifespan_context(app):
        for _ in range(100):
            if not (await state(runtime, shop.mp))[0]:
                break
            await asyncio.sleep(0.05)
    assert (await state(runtime, shop.mp))[0] == set()


async def test_purge_interval_setting() -> None:
    assert Settings().purge_interval_seconds == 3600
    assert Settings(purge_interval_seconds=0).purge_interval_seconds == 0
    with pytest.raises(ValueError, match="greater than or equal"):
        Settings(purge_interval_seconds=-1)
