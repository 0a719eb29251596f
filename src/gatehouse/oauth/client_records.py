"""Per-process cache of the token endpoint's client lookups.

Every grant starts by finding the client, its marketplace's state and its named secrets'
hashes (three queries). They change rarely and every change to them (the client, its secrets)
invalidates ``client_key(id)`` in its transaction, so each process can keep them in memory
and drop them on the next request after a change, as ``oauth.standing`` does for token
verification. Secret expirations are compared with the clock at each use, so a cached
secret still expires on time.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from gatehouse.oauth.store import ClientRecord
from gatehouse.storage.cache import InvalidatedCache
from gatehouse.storage.cache_keys import CacheKey, KeyKind
from gatehouse.storage.db import Database


class ClientRecordCache(InvalidatedCache):
    MAX_ENTRIES = 10_000

    def __init__(self, db: Database) -> None:
        super().__init__(db)
        self._records: dict[str, ClientRecord] = {}

    def _maps(self) -> tuple[dict[Any, Any], ...]:
        return (self._records,)

    def _drop(self, key: CacheKey) -> None:
        if key.kind is KeyKind.CLIENT:
            self._records.pop(key.parts[0], None)

    async def find(
        self, client_id: str, load: Callable[[str], Awaitable[ClientRecord | None]]
    ) -> ClientRecord | None:
        """The cached record, else ``load(client_id)``. Client IDs are stored lowercase; any
        other spelling is looked up without the cache, so invalidation keys always match."""
        self._poll_epoch()
        if client_id != client_id.lower():
            return await load(client_id)
        return await self._cached(self._records, client_id, load)
