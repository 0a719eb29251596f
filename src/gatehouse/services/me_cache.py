"""Per-process cache of what ``GET /v1/me`` returns (issue 12): the caller's user, roles and
company, loaded once (five queries) and kept until a write invalidates it.

Every write that can change it invalidates it: writes to users, companies, groups, security
profiles and their assignments record ``ROLES``/``IDENTITIES`` (``storage.invalidation``
watches those tables), which empty this cache in this process at once and in the others
through ``pg_notify`` or the SQLite epoch, exactly as the token verification caches.

Only the lockout counter changes without an invalidation (``storage.queries.login_failures``:
timing parity, and a wrong password must not empty every cache). Each entry records the
lockout generation (``storage.lockout_signal``) its counter was read at; while the generation
stands, a warm ``GET /v1/me`` runs no query at all. When it moved (a wrong password, a reset
after a success, an unlock, in any process), the next lookup re-reads the counter in one
small query, which also proves the user still exists. The generation is read before the
counter, so a write committing during the read moves it again and the next lookup re-reads.
Without a query, that the user still exists rests on the invalidations (deleting a user writes
its row), as token verification's does. While the cache is untrusted (PostgreSQL listener
down) every lookup loads everything, the counter included.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any

from gatehouse.domain.errors import UnauthenticatedError
from gatehouse.services.me import Me
from gatehouse.storage.cache import InvalidatedCache
from gatehouse.storage.cache_keys import CacheKey, KeyKind
from gatehouse.storage.db import Database
from gatehouse.storage.queries import me_reads

MeLoader = Callable[[str, int], Awaitable[Me]]
"""``MeService.get``: what the cache holds, loaded on a miss."""
EVERY_USER = (KeyKind.ROLES, KeyKind.IDENTITIES, KeyKind.COMPANY)
"""Keys after which any user's view may have changed (their roles, their company)."""


@dataclass(frozen=True, slots=True)
class _Entry:
    me: Me
    counted_at: int
    """The lockout generation before ``me``'s counter was read."""


class MeCache(InvalidatedCache):
    def __init__(self, db: Database, load: MeLoader) -> None:
        super().__init__(db)
        self._load_me = load
        self._lockout = db.lockout
        self._entries: dict[tuple[str, int], _Entry] = {}

    def _maps(self) -> tuple[dict[Any, Any], ...]:
        return (self._entries,)

    def _drop(self, key: CacheKey) -> None:
        if key.kind is KeyKind.USER:
            marketplace_id, internal = key.parts
            if internal.isdigit():
                self._entries.pop((marketplace_id, int(internal)), None)
        elif key.kind in EVERY_USER:
            self._entries.clear()

    async def get(self, marketplace_id: str, internal_id: int | None) -> Me:
        """``MeService.get``, from the cache, with the current lockout counter."""
        if internal_id is None:
            raise UnauthenticatedError()
        self._poll_epoch()
        key = (marketplace_id, internal_id)
        seen = self._lockout.value()
        entry = await self._cached(self._entries, key, lambda k: self._load(k, seen))
        if entry is None:  # pragma: no cover - _load raises instead
            raise UnauthenticatedError()
        if entry.counted_at == seen:
            return entry.me
        return await self._recount(key, entry.me, seen)

    async def _recount(self, key: tuple[str, int], me: Me, seen: int) -> Me:
        """The lockout generation moved since ``me`` was counted: read the counter again."""
        generation = self._generation
        async with self._db.read() as session:
            failed = await me_reads.failed_login_attempts(
                session, marketplace_id=key[0], internal_id=key[1]
            )
        if failed is None:
            raise UnauthenticatedError()
        if failed != me.view.user.failed_login_attempts:
            user = replace(me.view.user, failed_login_attempts=failed)
            me = replace(me, view=replace(me.view, user=user))
        # Kept only if nothing was invalidated meanwhile (as ``_cached`` does).
        if self.trusted and generation == self._generation and key in self._entries:
            self._entries[key] = _Entry(me, seen)
        return me

    async def _load(self, key: tuple[str, int], seen: int) -> _Entry:
        """Everything, the counter included, read after the generation ``seen``."""
        return _Entry(await self._load_me(*key), seen)
