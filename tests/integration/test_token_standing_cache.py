"""The per-process token standing cache across two runtimes on one database (as two server
processes would be): the other runtime drops what a write invalidates, through LISTEN/NOTIFY
on PostgreSQL or the shared epoch file on SQLite; a lost listener connection makes the cache
untrusted until it reconnects; a load racing an invalidation is not kept."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import jwt
import pytest
from sqlalchemy import text

from gatehouse.domain.token_standing import Standing, UserState
from gatehouse.oauth.standing import TokenStandingCache
from gatehouse.runtime import Runtime
from gatehouse.storage.cache_keys import user_key
from tests.conftest import backend
from tests.factories.marketplaces import Marketplace
from tests.support.waiting import eventually

pytestmark = pytest.mark.asyncio


def claims_of(mp: Marketplace) -> dict[str, Any]:
    found: dict[str, Any] = jwt.decode(mp.token, options={"verify_signature": False})
    return found


async def test_the_other_runtime_drops_what_a_write_invalidates(
    client: httpx.AsyncClient, marketplace: Marketplace, other: Runtime
) -> None:
    claims = claims_of(marketplace)
    assert (await other.standing.verdict(claims)).standing is Standing.VALID
    patched = await client.patch(
        f"/v1/apiclients/{marketplace.client_id}", headers=marketplace.auth, json={"Active": False}
    )
    assert patched.status_code == 200

    async def invalid() -> bool:
        return (await other.standing.verdict(claims)).standing is Standing.INVALID

    if backend() == "sqlite":
        assert await invalid()  # the epoch is read before every verdict: immediate
    else:
        assert await eventually(invalid)  # the notice arrives asynchronously


async def test_a_lost_listener_makes_the_cache_untrusted_until_it_reconnects(
    marketplace: Marketplace, other: Runtime
) -> None:
    if backend() == "sqlite":
        # No listener to lose: the shared epoch is read before every verdict, so the cache
        # is always trusted.
        assert other.listener is None and other.standing.trusted
        assert other.db.epoch is not None
        return
    assert other.listener is not None and other.listener.connected
    assert other.standing.trusted
    async with other.db.write() as session:
        await session.execute(
            text(
                # Only this test database's listeners: another xdist worker's (its own
                # database, the same server) would find its caches untrusted mid-test.
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE query LIKE 'LISTEN%' AND pid <> pg_backend_pid() "
                "AND datname = current_database()"
            )
        )

    async def untrusted() -> bool:
        return not other.standing.trusted

    async def trusted_again() -> bool:
        return other.standing.trusted and other.listener is not None and other.listener.connected

    assert await eventually(untrusted, 5.0)
    assert await eventually(trusted_again, 10.0)
    claims = claims_of(marketplace)
    assert (await other.standing.verdict(claims)).standing is Standing.VALID


class SlowCache(TokenStandingCache):
    """Holds each user load until released, so a test can invalidate mid-load."""

    def __init__(self, runtime: Runtime) -> None:
        super().__init__(runtime.db)
        self.loading = asyncio.Event()
        self.release = asyncio.Event()

    async def _load_user(self, key: tuple[str, int]) -> UserState | None:
        found = await super()._load_user(key)
        self.loading.set()
        await self.release.wait()
        return found


async def test_a_load_racing_an_invalidation_is_not_kept(
    marketplace: Marketplace, runtime: Runtime
) -> None:
    cache = SlowCache(runtime)
    claims = claims_of(marketplace)
    pending = asyncio.create_task(cache.verdict(claims))
    await cache.loading.wait()
    cache.invalidate({user_key(marketplace.id, int(claims["u"]))})
    cache.release.set()
    assert (await pending).standing is Standing.VALID
    assert cache._users == {}  # the possibly stale row was used once, not cached
    cache.loading.clear()
    again = asyncio.create_task(cache.verdict(claims))
    await cache.loading.wait()
    assert (await again).standing is Standing.VALID
    assert len(cache._users) == 1
