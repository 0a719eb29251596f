"""The per-process rate-limit configuration cache: loads once per client, drops entries on
the invalidation keys of client limits, marketplace defaults, the client itself and
everything; reloads after another process's write; keeps no unknown client; and does not
keep a load that raced an invalidation."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from gatehouse.domain.rate_limits import RateLimits
from gatehouse.ratelimit.config import (
    LimitConfigCache,
    client_limits_key,
    marketplace_limits_key,
)
from gatehouse.runtime import Runtime
from gatehouse.storage.invalidation import EVERYTHING, client_key
from tests.factories.marketplaces import Marketplace

pytestmark = pytest.mark.asyncio


async def test_each_key_drops_what_it_names(runtime: Runtime, marketplace: Marketplace) -> None:
    cache = LimitConfigCache(runtime.db)
    cid = marketplace.client_id
    for key in (
        client_limits_key(cid),
        client_key(cid),
        marketplace_limits_key(marketplace.id),
        EVERYTHING,
    ):
        found = await cache.effective(cid)
        assert found is not None
        assert found.marketplace_id == marketplace.id
        loads = cache.loads
        await cache.effective(cid)
        assert cache.loads == loads  # cached
        cache.invalidate({key})
        await cache.effective(cid)
        assert cache.loads == loads + 1, key
    cache.invalidate({marketplace_limits_key("another"), client_limits_key("another")})
    loads = cache.loads
    await cache.effective(cid)
    assert cache.loads == loads  # other keys leave it alone


async def test_unknown_clients_are_not_kept(runtime: Runtime) -> None:
    cache = LimitConfigCache(runtime.db)
    for _ in range(3):
        assert await cache.effective("no-such-client") is None
    assert cache.loads == 3


async def test_another_runtime_follows_writes(
    runtime: Runtime, other: Runtime, marketplace: Marketplace
) -> None:
    cid = marketplace.client_id
    first = await other.limits.config.effective(cid)
    assert first is not None
    assert first.limits.unlimited
    await runtime.services.rate_limits.put_marketplace(marketplace.id, RateLimits(api_per_minute=5))
    for _ in range(100):
        found = await other.limits.config.effective(cid)
        assert found is not None
        if not found.limits.unlimited:
            break
        await asyncio.sleep(0.05)
    assert found is not None
    assert found.limits == RateLimits(None, None, 5, 5)
    assert not found.own
    await runtime.services.rate_limits.put_client(
        marketplace.id, cid, RateLimits(token_per_minute=7)
    )
    for _ in range(100):
        found = await other.limits.config.effective(cid)
        assert found is not None
        if found.own:
            break
        await asyncio.sleep(0.05)
    assert found is not None
    assert found.limits == RateLimits(7, 7, None, None)


async def test_a_load_racing_an_invalidation_is_not_kept(
    runtime: Runtime, marketplace: Marketplace, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = LimitConfigCache(runtime.db)
    from gatehouse.storage.queries import rate_limits as limits_q

    real = limits_q.effective

    async def racing(session: Any, client_id: str) -> Any:
        found = await real(session, client_id)
        cache.invalidate({client_limits_key(client_id)})  # a commit lands meanwhile
        return found

    monkeypatch.setattr(limits_q, "effective", racing)
    assert await cache.effective(marketplace.client_id) is not None
    monkeypatch.setattr(limits_q, "effective", real)
    loads = cache.loads
    await cache.effective(marketplace.client_id)
    assert cache.loads == loads + 1  # the raced value was not kept
