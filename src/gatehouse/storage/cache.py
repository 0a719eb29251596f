"""The base of every per-process cache of database state (token standing, client records,
grant subjects, revoked tokens, rate-limit configuration).

Each is dropped by the keys a write invalidates (``storage.cache_keys``), in this process at
once (``Database`` commit hook) and in every other through ``storage.invalidation``. A load
that races an invalidation is not kept: each invalidation bumps ``_generation``, and a loaded
value is stored only if no invalidation happened while it was being read, so a stale row read
just before a concurrent commit cannot outlive that commit's invalidation.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar

from gatehouse.storage.cache_keys import CacheKey, KeyKind
from gatehouse.storage.db import Database
from gatehouse.storage.epoch import SqliteEpoch

K = TypeVar("K")
V = TypeVar("V")


class InvalidatedCache:
    """What every per-process cache of database state shares: a generation counter (so a load
    racing an invalidation is not kept), the ``trusted`` flag, and the SQLite epoch check.

    Subclasses keep their entries in dicts listed by ``_maps`` and drop keys in ``_drop``.
    """

    MAX_ENTRIES = 100_000

    def __init__(self, db: Database) -> None:
        self._db = db
        self._epoch: SqliteEpoch | None = None
        if db.epoch is not None:
            # Its own reader of the shared epoch: each reader notices each change once.
            self._epoch = db.epoch.reader()
        self._generation = 0
        self.trusted = True
        """False while invalidations from other processes could be missed (the PostgreSQL
        listener is down): every lookup then reads the database."""

    def _maps(self) -> tuple[dict[Any, Any], ...]:
        """The dicts ``clear`` empties."""
        return ()

    def _drop(self, key: CacheKey) -> None:
        """Forget what ``key`` names; keys of kinds this cache does not hold are ignored."""

    def invalidate(self, keys: Iterable[CacheKey]) -> None:
        self._generation += 1
        for key in keys:
            if key.kind is KeyKind.EVERYTHING:
                self.clear()
            else:
                self._drop(key)

    def clear(self) -> None:
        self._generation += 1
        for cache in self._maps():
            cache.clear()

    def _make_room(self, cache: dict[Any, Any]) -> None:
        """``cache`` is full: by default it starts over (cheap, and rare at these bounds)."""
        cache.clear()

    def _poll_epoch(self) -> None:
        """Another process sharing the SQLite file committed an invalidation: start over."""
        if self._epoch is not None and self._epoch.changed():
            self.clear()

    async def _cached(
        self, cache: dict[K, V], key: K, load: Callable[[K], Awaitable[V | None]]
    ) -> V | None:
        if self.trusted and key in cache:
            return cache[key]
        generation = self._generation
        value = await load(key)
        # Missing subjects are not cached: an id or username may come (back) later.
        if value is not None and self.trusted and generation == self._generation:
            if len(cache) >= self.MAX_ENTRIES:
                self._make_room(cache)
            cache[key] = value
        return value
