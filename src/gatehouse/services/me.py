"""The Me perspective (spec §6.1): the caller's own user, found by the token's internal user id
within the token's marketplace. Updates and password changes go through the user service, so
the same validation and password policy apply as for an administrator's writes.

A token whose user no longer exists (or a token without a user) is 401 ``InvalidToken``, as
for a deleted user's token anywhere (decisions.md). ``ID``, ``Active`` and ``Password`` are not
writable through ``PUT``/``PATCH /me`` and are ignored; the password changes only through
``POST /me/password``. Writing ``xp`` needs MeXpAdmin (403 ``User.XPNotAllowed``) unless
the write leaves ``xp`` as it is, so a GET-modify-PUT round trip works without it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from gatehouse.domain.companies import CompanyKind
from gatehouse.domain.errors import ForbiddenError, RequiredFieldError, UnauthenticatedError
from gatehouse.domain.listing import ListQuery
from gatehouse.domain.users import UserType
from gatehouse.domain.xp import deep_merge
from gatehouse.services.users import UserScope, UserService, UserView
from gatehouse.storage.db import Database
from gatehouse.storage.queries import companies, user_groups
from gatehouse.storage.queries import users as user_rows
from gatehouse.storage.queries.user_groups import UserGroup

if TYPE_CHECKING:  # the registry imports this module to build it
    from gatehouse.services.registry import ServiceDeps

_NOT_WRITABLE = ("id", "active", "password")


@dataclass(frozen=True, slots=True)
class Me:
    view: UserView
    default_catalog_id: str | None = None


@dataclass(frozen=True, slots=True)
class _Self:
    internal_id: int
    scope: UserScope
    user_id: str
    xp: Any


class MeService:
    """The caller's own user, bound to the process's database and written through the user
    service."""

    def __init__(self, deps: ServiceDeps, users: UserService) -> None:
        self._db = deps.db
        self._users = users

    async def get(self, marketplace_id: str, internal_id: int | None) -> Me:
        own = await _self(self._db, marketplace_id, internal_id)
        view = await self._users.get(marketplace_id, own.scope, own.user_id)
        return await _with_company(self._db, marketplace_id, view)

    async def update(
        self,
        marketplace_id: str,
        internal_id: int | None,
        fields: dict[str, Any],
        *,
        merge: bool,
        may_write_xp: bool,
    ) -> Me:
        """PATCH (``merge``) or PUT the caller's own writable fields. A PUT without ``xp`` keeps
        the current ``xp``."""
        own = await _self(self._db, marketplace_id, internal_id)
        changes = {k: v for k, v in fields.items() if k not in _NOT_WRITABLE}
        if "xp" in changes and not may_write_xp:
            _refuse_xp_change(own, changes["xp"], merge=merge)
        if merge:
            view = await self._users.patch(marketplace_id, own.scope, own.user_id, changes)
        else:
            current = await self._users.get(marketplace_id, own.scope, own.user_id)
            kept = {"id": own.user_id, "active": current.user.active, "xp": own.xp}
            view = await self._users.overwrite(
                marketplace_id, own.scope, own.user_id, {**kept, **changes}
            )
        return await _with_company(self._db, marketplace_id, view)

    async def set_password(
        self, marketplace_id: str, internal_id: int | None, new_password: str | None
    ) -> None:
        """Checked against the effective password policy of the caller, then hashed."""
        if not new_password:
            raise RequiredFieldError("NewPassword")
        own = await _self(self._db, marketplace_id, internal_id)
        await self._users.patch(marketplace_id, own.scope, own.user_id, {"password": new_password})

    async def user_groups_page(
        self, marketplace_id: str, internal_id: int | None, query: ListQuery
    ) -> tuple[list[UserGroup], int]:
        own = await _self(self._db, marketplace_id, internal_id)
        async with self._db.read() as session:
            return await user_groups.list_for_member(
                session,
                marketplace_id=marketplace_id,
                user_internal_id=own.internal_id,
                query=query,
            )


def _refuse_xp_change(own: _Self, xp: Any, *, merge: bool) -> None:
    """Without MeXpAdmin, a write may only leave ``xp`` as it is (403 ``User.XPNotAllowed``)."""
    after = deep_merge(own.xp, xp) if merge else xp
    if after != own.xp:
        raise ForbiddenError(
            "User.XPNotAllowed",
            "Writing your own xp requires the MeXpAdmin role.",
            {"SufficientRoles": ["FullAccess", "MeXpAdmin"]},
        )


async def _self(db: Database, marketplace_id: str, internal_id: int | None) -> _Self:
    if internal_id is None:
        raise UnauthenticatedError()
    async with db.read() as session:
        row = await user_rows.get_by_internal_id(
            session, marketplace_id=marketplace_id, internal_id=internal_id
        )
        if row is None:
            raise UnauthenticatedError()
        scope = UserScope(UserType(row.user_type), row.company_id)
        return _Self(row.id, scope, row.external_id, row.xp)


async def _with_company(db: Database, marketplace_id: str, view: UserView) -> Me:
    if view.user.user_type is not UserType.BUYER or not view.user.company_id:
        return Me(view)
    async with db.read() as session:
        buyer = await companies.get(
            session,
            marketplace_id=marketplace_id,
            kind=CompanyKind.BUYER,
            company_id=view.user.company_id,
        )
    return Me(view, buyer.default_catalog_id if buyer else None)
