"""Per-process cache of the stored refresh tokens the ``refresh_token`` grant reads (issue 12),
so a warm refresh runs no SQL at all, as a warm client_credentials grant does.

Keyed by the token's SHA-256 (what is stored; the token itself is never kept). Only found
records are kept: an unknown token is read again each time, so guessing costs memory nothing.
A record holds its expiry and revocation time, which the grant compares with the clock at
each use, so a cached token still expires on time.

A refresh token changes only by being revoked or deleted, and every UPDATE or DELETE of
``refresh_tokens``, from any query, records ``REFRESH_TOKENS`` by itself
(``storage.invalidation.CHANGES_WATCHED``); an INSERT (every login) records nothing, since a
new token cannot make a cached one stale. Rows that ``ON DELETE CASCADE`` removes (a user's,
a client's, a marketplace's) are never seen by the ORM, so the cache also empties on the keys
those deletions record: ``ROLES``/``IDENTITIES`` (users, companies, marketplaces are watched
tables), any client or user key, and ``EVERYTHING``. Coarse on purpose: such writes are rare,
and an integer user id that SQLite reuses after a delete can never meet a stale record.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from gatehouse.oauth.store import RefreshTokenRecord
from gatehouse.storage.cache import InvalidatedCache
from gatehouse.storage.cache_keys import CacheKey, KeyKind
from gatehouse.storage.db import Database

DROPPED_BY = frozenset(
    {
        KeyKind.REFRESH_TOKENS,
        KeyKind.ROLES,
        KeyKind.IDENTITIES,
        KeyKind.CLIENT,
        KeyKind.USER,
        KeyKind.COMPANY,
    }
)
"""Key kinds after which any stored refresh token may have been revoked or deleted."""


class RefreshTokenCache(InvalidatedCache):
    MAX_ENTRIES = 10_000

    def __init__(self, db: Database) -> None:
        super().__init__(db)
        self._records: dict[str, RefreshTokenRecord] = {}

    def _maps(self) -> tuple[dict[Any, Any], ...]:
        return (self._records,)

    def _drop(self, key: CacheKey) -> None:
        if key.kind in DROPPED_BY:
            self._records.clear()

    def _make_room(self, cache: dict[Any, Any]) -> None:
        """Full: forget the oldest entry (dicts keep insertion order), not every client's."""
        del cache[next(iter(cache))]

    async def find(
        self, token_sha256: str, load: Callable[[str], Awaitable[RefreshTokenRecord | None]]
    ) -> RefreshTokenRecord | None:
        """The cached record, else ``load(token_sha256)`` (kept only when found)."""
        self._poll_epoch()
        return await self._cached(self._records, token_sha256, load)

    def __len__(self) -> int:
        return len(self._records)
