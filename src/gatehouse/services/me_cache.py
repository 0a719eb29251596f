"""Per-process cache of what ``GET /v1/me`` returns (issue 12): the caller's user, roles and
company, loaded once (five queries) and kept until a write invalidates it.

Every write that can change it invalidates it: writes to users, companies, groups, security
profiles and their assignments record ``ROLES``/``IDENTITIES`` (``storage.invalidation``
watches those tables), which empty this cache in this process at once and in the others
through ``pg_notify`` or the SQLite epoch, exactly as the token verification caches.
Only the lockout counter changes without an invalidation (``storage.queries.login_failures``),
so it is read on every request, in one small query that also proves the user still exists.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
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


class MeCache(InvalidatedCache):
    def __init__(self, db: Database, load: MeLoader) -> None:
        super().__init__(db)
        self._load_me = load
        self._entries: dict[tuple[str, int], Me] = {}

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
        me = await self._cached(self._entries, (marketplace_id, internal_id), self._load)
        if me is None:  # pragma: no cover - _load raises instead
            raise UnauthenticatedError()
        async with self._db.read() as session:
            failed = await me_reads.failed_login_attempts(
                session, marketplace_id=marketplace_id, internal_id=internal_id
            )
        if failed is None:
            raise UnauthenticatedError()
        if failed == me.view.user.failed_login_attempts:
            return me
        user = replace(me.view.user, failed_login_attempts=failed)
        return replace(me, view=replace(me.view, user=user))

    async def _load(self, key: tuple[str, int]) -> Me:
        return await self._load_me(*key)
