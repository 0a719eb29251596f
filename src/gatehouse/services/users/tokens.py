"""Revoking every token of one user (spec §3.11): by an administrator, by the user itself
(``DELETE /me/tokens``) or by an operator (``gatehouse users revoke-tokens``)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from gatehouse.domain import audit
from gatehouse.domain.errors import NotFoundError, UnauthenticatedError
from gatehouse.domain.tokens import revocation_threshold, seconds_until
from gatehouse.services.users import lookups
from gatehouse.services.users.fields import UserScope
from gatehouse.storage.invalidation import invalidate, user_key
from gatehouse.storage.queries import users
from gatehouse.storage.queries.users import UserRow

if TYPE_CHECKING:  # the registry imports this module to build it
    from gatehouse.services.registry import ServiceDeps

FindUser = Callable[[AsyncSession], Awaitable[UserRow]]


class UserTokenService:
    """Token revocation per user, bound to the process's database and clock."""

    def __init__(self, deps: ServiceDeps) -> None:
        self._db = deps.db
        self._clock = deps.clock

    async def revoke_tokens(
        self,
        marketplace_id: str,
        scope: UserScope,
        user_id: str,
        actor: audit.Actor | None = None,
    ) -> None:
        """Refuse every access and refresh token issued to the user so far (spec §3.11)."""

        async def find(session: AsyncSession) -> UserRow:
            await lookups.require_company(session, marketplace_id, scope)
            return await lookups.require(session, marketplace_id, scope, user_id)

        await self._revoke(marketplace_id, find, actor)

    async def revoke_own_tokens(
        self, marketplace_id: str, internal_id: int, actor: audit.Actor | None = None
    ) -> None:
        """``DELETE /me/tokens``: the caller, known by the token's ``u``, revokes its tokens."""

        async def find(session: AsyncSession) -> UserRow:
            row = await users.get_by_internal_id(
                session, marketplace_id=marketplace_id, internal_id=internal_id
            )
            if row is None:
                raise UnauthenticatedError()
            return row

        await self._revoke(marketplace_id, find, actor)

    async def revoke_tokens_by_username(self, marketplace_id: str, username: str) -> None:
        """For operators (``gatehouse users revoke-tokens``), who know a username, not its ID."""

        async def find(session: AsyncSession) -> UserRow:
            row = await users.find_by_username(
                session, marketplace_id=marketplace_id, username=username
            )
            if row is None:
                raise NotFoundError("User", username)
            return row

        await self._revoke(marketplace_id, find, audit.CLI)

    async def _revoke(
        self, marketplace_id: str, find: FindUser, actor: audit.Actor | None = None
    ) -> None:
        """Raise the user's revocation threshold past every token issued so far and delete
        their refresh tokens in one transaction; every process drops its cached state on
        commit. Returns once the threshold (a microsecond) has passed, so every token issued
        before the call returned is refused and none issued after it (``domain.tokens``)."""
        clock = self._clock
        async with self._db.write() as session:
            row = await find(session)
            threshold = revocation_threshold(clock.now(), row.tokens_valid_from)
            await users.revoke_tokens(session, row, threshold)
            await invalidate(session, user_key(marketplace_id, row.id))
            await lookups.audit_user_event(session, audit.TOKENS_REVOKED, row, actor, clock.now())
        await asyncio.sleep(seconds_until(threshold, clock.now()))
