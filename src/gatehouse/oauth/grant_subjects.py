"""Per-process cache of the users the token endpoint issues tokens for and their available
roles, so a client-credentials or refresh grant needs no query once warm.

Roles come from security profiles, their assignments at nine levels, user groups and
memberships; a user's identity carries their state, their company's and their revocation
threshold. Every write to those tables records ``ROLES``/``IDENTITIES`` invalidations by
itself (``storage.invalidation.WATCHED_TABLES``), so each process drops these entries before
its next request, here and in every other process, as for ``oauth.standing``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from gatehouse.domain.roles import RoleSet
from gatehouse.domain.users import UserIdentity
from gatehouse.storage.cache import InvalidatedCache
from gatehouse.storage.cache_keys import CacheKey, KeyKind
from gatehouse.storage.db import Database

UserKey = tuple[str, int]
"""(marketplace ID, internal user ID)."""
LookupKey = tuple[str, str]
"""(marketplace ID, ``name:<username key>`` or ``id:<internal ID>``)."""


class GrantSubjectCache(InvalidatedCache):
    def __init__(self, db: Database) -> None:
        super().__init__(db)
        self._roles: dict[UserKey, RoleSet] = {}
        self._identities: dict[LookupKey, UserIdentity] = {}

    def _maps(self) -> tuple[dict[Any, Any], ...]:
        return (self._roles, self._identities)

    def _drop(self, key: CacheKey) -> None:
        if key.kind in (KeyKind.ROLES, KeyKind.USER):
            self._roles.clear()
        if key.kind in (KeyKind.IDENTITIES, KeyKind.USER):
            self._identities.clear()

    async def roles(
        self, key: UserKey, load: Callable[[UserKey], Awaitable[RoleSet | None]]
    ) -> RoleSet | None:
        self._poll_epoch()
        return await self._cached(self._roles, key, load)

    async def identity(
        self, key: LookupKey, load: Callable[[LookupKey], Awaitable[UserIdentity | None]]
    ) -> UserIdentity | None:
        self._poll_epoch()
        return await self._cached(self._identities, key, load)
