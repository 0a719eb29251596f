"""Per-process cache of each client's effective limits, read on every token and API request.

Loaded once per client (one indexed query) and dropped when a write invalidates it: in this
process at once (``Database`` commit hook), in other processes through
``storage.invalidation`` (PostgreSQL notices, or the shared SQLite epoch). Unknown clients are
not cached (a client may be created later), so they never take room here.

As in ``oauth.standing``, a load that races an invalidation is not kept (``_generation``).
"""

from __future__ import annotations

from collections.abc import Iterable

from gatehouse.storage.db import Database
from gatehouse.storage.invalidation import EVERYTHING, SqliteEpoch
from gatehouse.storage.queries import rate_limits as limits_q
from gatehouse.storage.queries.rate_limits import EffectiveLimits


def client_limits_key(client_id: str) -> str:
    """Invalidation key for one client's own limits."""
    return f"rl|{client_id.lower()}"


def marketplace_limits_key(marketplace_id: str) -> str:
    """Invalidation key for a marketplace's default limits (every client of it may change)."""
    return f"rlm|{marketplace_id}"


class LimitConfigCache:
    MAX_ENTRIES = 100_000

    def __init__(self, db: Database, epoch: SqliteEpoch | None = None) -> None:
        self._db = db
        self._epoch = epoch
        self._entries: dict[str, EffectiveLimits] = {}
        self._generation = 0
        self.trusted = True
        """False while other processes' invalidations could be missed: every lookup then
        reads the database."""
        self.loads = 0
        """How many times the database was read (tests prove the steady state reads none)."""

    async def effective(self, client_id: str) -> EffectiveLimits | None:
        """The limits of an existing client; ``None`` if there is no such client."""
        if self._epoch is not None and self._epoch.changed():
            self.clear()
        if self.trusted:
            found = self._entries.get(client_id)
            if found is not None:
                return found
        generation = self._generation
        self.loads += 1
        async with self._db.read() as session:
            found = await limits_q.effective(session, client_id)
        if found is not None and self.trusted and generation == self._generation:
            if len(self._entries) >= self.MAX_ENTRIES:
                self._entries.clear()
            self._entries[client_id] = found
        return found

    def invalidate(self, keys: Iterable[str]) -> None:
        self._generation += 1
        for key in keys:
            kind, _, rest = key.partition("|")
            if key == EVERYTHING:
                self.clear()
            elif kind in ("rl", "c"):  # the client's own limits, or the client itself
                self._entries.pop(rest.lower(), None)
            elif kind == "rlm":
                for client_id, found in list(self._entries.items()):
                    if found.marketplace_id == rest:
                        self._entries.pop(client_id, None)

    def clear(self) -> None:
        self._generation += 1
        self._entries.clear()
