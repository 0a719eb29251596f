"""The per-process cache of stored refresh tokens (``oauth.refresh_records``): found records
are kept (bounded, oldest out first), unknown tokens never are, and every key kind after which
a stored token may have been revoked or deleted empties it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from gatehouse.oauth.refresh_records import DROPPED_BY, RefreshTokenCache
from gatehouse.oauth.store import RefreshTokenRecord
from gatehouse.storage.cache_keys import (
    EVERYTHING,
    IDENTITIES,
    REFRESH_TOKENS,
    REVOKED_TOKENS,
    ROLES,
    CacheKey,
    KeyKind,
    client_key,
    client_limits_key,
    company_key,
    marketplace_limits_key,
    user_key,
)

NOW = datetime(2026, 1, 1, tzinfo=UTC)
RECORD = RefreshTokenRecord(
    marketplace_id="mkt",
    client_id="c1",
    user_internal_id=7,
    roles=frozenset({"Shopper"}),
    issued_at=NOW,
    expires_at=NOW + timedelta(hours=1),
)


class NoEpoch:
    """Stands in for ``Database``: an in-memory database has no shared epoch."""

    epoch = None


class Loads:
    """A loader that counts its calls and finds only the tokens it holds."""

    def __init__(self, *found: str) -> None:
        self.found = set(found)
        self.calls: list[str] = []

    async def __call__(self, token_sha256: str) -> RefreshTokenRecord | None:
        self.calls.append(token_sha256)
        return RECORD if token_sha256 in self.found else None


def new_cache() -> RefreshTokenCache:
    return RefreshTokenCache(NoEpoch())  # type: ignore[arg-type]


async def test_a_found_record_is_read_once() -> None:
    cache, load = new_cache(), Loads("a")
    assert await cache.find("a", load) is RECORD
    assert await cache.find("a", load) is RECORD
    assert load.calls == ["a"]


async def test_an_unknown_token_is_never_kept() -> None:
    cache, load = new_cache(), Loads()
    assert await cache.find("x", load) is None
    assert await cache.find("x", load) is None
    assert load.calls == ["x", "x"]
    assert len(cache) == 0


async def test_a_full_cache_forgets_its_oldest_entry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(RefreshTokenCache, "MAX_ENTRIES", 3)
    cache, load = new_cache(), Loads("a", "b", "c", "d")
    for token in "abcd":
        await cache.find(token, load)
    assert len(cache) == 3
    load.calls.clear()
    for token in "bcd":
        await cache.find(token, load)
    assert load.calls == []
    await cache.find("a", load)  # evicted first
    assert load.calls == ["a"]


def test_the_default_bound() -> None:
    assert RefreshTokenCache.MAX_ENTRIES == 10_000


DROPPING = [
    REFRESH_TOKENS,
    ROLES,
    IDENTITIES,
    EVERYTHING,
    client_key("any-client"),
    user_key("mkt", 99),
    company_key("mkt", "buyer", "b"),
]
KEEPING = [REVOKED_TOKENS, client_limits_key("c1"), marketplace_limits_key("mkt")]


@pytest.mark.parametrize("key", DROPPING, ids=lambda key: key.encode())
async def test_keys_that_may_revoke_or_delete_a_token_empty_it(key: CacheKey) -> None:
    cache, load = new_cache(), Loads("a")
    await cache.find("a", load)
    cache.invalidate({key})
    await cache.find("a", load)
    assert load.calls == ["a", "a"]


@pytest.mark.parametrize("key", KEEPING, ids=lambda key: key.encode())
async def test_unrelated_keys_keep_it(key: CacheKey) -> None:
    cache, load = new_cache(), Loads("a")
    await cache.find("a", load)
    cache.invalidate({key})
    await cache.find("a", load)
    assert load.calls == ["a"]


def test_every_key_kind_is_classified() -> None:
    """A new kind must be placed on one side or the other, deliberately."""
    kept = {key.kind for key in KEEPING}
    assert DROPPED_BY | kept | {KeyKind.EVERYTHING} == set(KeyKind)
    assert not DROPPED_BY & kept


async def test_a_distrusted_cache_reads_every_time() -> None:
    """The PostgreSQL listener is down: notices may be missed."""
    cache, load = new_cache(), Loads("a")
    cache.trusted = False
    await cache.find("a", load)
    await cache.find("a", load)
    assert load.calls == ["a", "a"]


async def test_a_load_racing_an_invalidation_is_not_kept() -> None:
    cache = new_cache()

    async def revoked_meanwhile(token_sha256: str) -> Any:
        cache.invalidate({REFRESH_TOKENS})
        return RECORD

    assert await cache.find("a", revoked_meanwhile) is RECORD
    assert len(cache) == 0
