"""Per-process cache of each client's effective limits, read on every token and API request.

Loaded once per client (one indexed query) and dropped when a write invalidates it: in this
process at once (``Database`` commit hook), in other processes through
``storage.invalidation`` (PostgreSQL notices, or the shared SQLite epoch). Unknown clients are
not cached (a client may be created later), so they never take room here.

As in every ``storage.cache.InvalidatedCache``, a load that races an invalidation is not kept.
"""

from __future__ import annotations

from typing import Any

from gatehouse.storage.cache import InvalidatedCache
from gatehouse.storage.cache_keys import (
    CacheKey,
    KeyKind,
    client_limits_key,
    marketplace_limits_key,
)
from gatehouse.storage.db import Database
from gatehouse.storage.queries import rate_limits as limits_q
from gatehouse.storage.queries.rate_limits import EffectiveLimits

# The key constructors are re-exported for the writers (``services.rate_limits``).
__all__ = ["LimitConfigCache", "client_limits_key", "marketplace_limits_key"]


class LimitConfigCache(InvalidatedCache):
    def __init__(self, db: Database) -> None:
        super().__init__(db)
        self._entries: dict[str, EffectiveLimits] = {}
        self.loads = 0
        """How many times the database was read (tests prove the steady state reads none)."""

    def _maps(self) -> tuple[dict[Any, Any], ...]:
        return (self._entries,)

    def _drop(self, key: CacheKey) -> None:
        if key.kind in (KeyKind.CLIENT_LIMITS, KeyKind.CLIENT):
            # the client's own limits, or the client itself
            self._entries.pop(key.parts[0].lower(), None)
        elif key.kind is KeyKind.MARKETPLACE_LIMITS:
            for client_id, found in list(self._entries.items()):
                if found.marketplace_id == key.parts[0]:
                    self._entries.pop(client_id, None)

    async def effective(self, client_id: str) -> EffectiveLimits | None:
        """The limits of an existing client; ``None`` if there is no such client."""
        self._poll_epoch()
        return await self._cached(self._entries, client_id, self._load)

    async def _load(self, client_id: str) -> EffectiveLimits | None:
        self.loads += 1
        async with self._db.read() as session:
            return await limits_q.effective(session, client_id)
