"""UserGroup use cases, written once for the seller's, buyers' and suppliers' groups (a
``UserScope`` names the owner, as for users), and the memberships of their users.

Every operation on a buyer's or supplier's groups first checks that the company exists, so
an unknown company is a 404 for that company rather than an empty list.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from gatehouse.domain.clock import Clock
from gatehouse.domain.errors import (
    IdExistsError,
    InvalidInputError,
    NotFoundError,
    RequiredFieldError,
)
from gatehouse.domain.ids import is_valid_id, new_object_id
from gatehouse.domain.listing import ListQuery
from gatehouse.domain.users import UserType
from gatehouse.domain.xp import deep_merge, validate_xp
from gatehouse.services import impersonation_configs
from gatehouse.services.users import UserScope
from gatehouse.storage.queries import companies, user_groups, users
from gatehouse.storage.queries.user_groups import GroupOwner, UserGroup

if TYPE_CHECKING:
    from gatehouse.services.registry import ServiceDeps

OBJECT_TYPE = "UserGroup"
MAX_NAME_LENGTH = 100
MAX_DESCRIPTION_LENGTH = 2000


class UserGroupService:
    """User groups of the seller, buyers and suppliers, and their members."""

    def __init__(self, deps: ServiceDeps) -> None:
        self._db = deps.db
        self._clock = deps.clock

    async def get(self, marketplace_id: str, scope: UserScope, group_id: str) -> UserGroup:
        async with self._db.read() as session:
            await _require_company(session, marketplace_id, scope)
            return await _require(session, marketplace_id, scope, group_id)

    async def list_page(
        self, marketplace_id: str, scope: UserScope, query: ListQuery
    ) -> tuple[list[UserGroup], int]:
        async with self._db.read() as session:
            await _require_company(session, marketplace_id, scope)
            return await user_groups.list_page(
                session, marketplace_id=marketplace_id, owner=_owner(scope), query=query
            )

    async def create(
        self, marketplace_id: str, scope: UserScope, fields: dict[str, Any]
    ) -> UserGroup:
        group = _build(fields.get("id") or new_object_id(), fields)
        async with self._db.write() as session:
            await _require_company(session, marketplace_id, scope)
            await _insert(session, self._clock, marketplace_id, scope, group)
            return group

    async def replace(
        self,
        marketplace_id: str,
        scope: UserScope,
        group_id: str,
        fields: dict[str, Any],
    ) -> UserGroup:
        """PUT creates the group at ``group_id`` when new, else replaces every writable field (an
        ``ID`` in the body renames it)."""
        async with self._db.write() as session:
            await _require_company(session, marketplace_id, scope)
            current = await _find(session, marketplace_id, scope, group_id)
            if current is None:
                group = _build(group_id, fields)
                await _insert(session, self._clock, marketplace_id, scope, group)
                return group
            group = _build(fields.get("id") or group_id, fields)
            await _save(session, marketplace_id, scope, group_id, group)
            return group

    async def patch(
        self, marketplace_id: str, scope: UserScope, group_id: str, changes: dict[str, Any]
    ) -> UserGroup:
        """Only the sent fields change; ``xp`` is deep-merged; ``null`` clears ``Description``."""
        async with self._db.write() as session:
            await _require_company(session, marketplace_id, scope)
            current = await _require(session, marketplace_id, scope, group_id)
            merged: dict[str, Any] = {
                "id": current.id,
                "name": current.name,
                "description": current.description,
                "xp": current.xp,
            }
            merged.update(changes)
            if "xp" in changes:
                merged["xp"] = deep_merge(current.xp, changes["xp"])
            group = _build(merged["id"] or current.id, merged)
            await _save(session, marketplace_id, scope, current.id, group)
            return group

    async def delete(self, marketplace_id: str, scope: UserScope, group_id: str) -> None:
        """The group, its memberships and its security profile assignments go together."""
        async with self._db.write() as session:
            await _require_company(session, marketplace_id, scope)
            await impersonation_configs.refuse_group_delete(
                session, marketplace_id, scope.user_type, scope.company_id, group_id
            )
            if not await user_groups.delete_group(
                session, marketplace_id=marketplace_id, owner=_owner(scope), group_id=group_id
            ):
                raise NotFoundError(OBJECT_TYPE, group_id)

    async def save_member(
        self, marketplace_id: str, scope: UserScope, group_id: str, user_id: str
    ) -> None:
        """Idempotent. The user must be one of the group owner's own users."""
        if not group_id:
            raise RequiredFieldError("UserGroupID")
        if not user_id:
            raise RequiredFieldError("UserID")
        async with self._db.write() as session:
            internal_id = await _require_member_parties(
                session, marketplace_id, scope, group_id, user_id
            )
            await user_groups.add_member(
                session,
                marketplace_id=marketplace_id,
                owner=_owner(scope),
                group_id=group_id,
                user_internal_id=internal_id,
            )

    async def delete_member(
        self, marketplace_id: str, scope: UserScope, group_id: str, user_id: str
    ) -> None:
        """404 for an unknown company, group or user; removing a non-member is a no-op."""
        async with self._db.write() as session:
            internal_id = await _require_member_parties(
                session, marketplace_id, scope, group_id, user_id
            )
            await user_groups.remove_member(
                session,
                marketplace_id=marketplace_id,
                owner=_owner(scope),
                group_id=group_id,
                user_internal_id=internal_id,
            )

    async def list_members(
        self,
        marketplace_id: str,
        scope: UserScope,
        *,
        filters: dict[str, str],
        page: int,
        page_size: int,
    ) -> tuple[list[tuple[str, str]], int]:
        """(UserGroupID, UserID) pairs; ``filters`` may hold ``user_group_id`` and ``user_id``.
        Filtering by a group or user that does not exist gives an empty page, not a 404."""
        async with self._db.read() as session:
            await _require_company(session, marketplace_id, scope)
            return await user_groups.list_members(
                session,
                marketplace_id=marketplace_id,
                owner=_owner(scope),
                filters=filters,
                page=page,
                page_size=page_size,
            )


def _owner(scope: UserScope) -> GroupOwner:
    return GroupOwner(scope.user_type, scope.company_id)


def _build(group_id: str, fields: dict[str, Any]) -> UserGroup:
    if not is_valid_id(group_id):
        raise InvalidInputError(
            message="ID may contain only letters, digits, - and _, up to 100 characters.",
            data={"Field": "ID"},
        )
    name, description = fields.get("name"), fields.get("description")
    if not name:
        raise RequiredFieldError("Name")
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidInputError(
            message=f"Name may not exceed {MAX_NAME_LENGTH} characters.", data={"Field": "Name"}
        )
    if description is not None and len(description) > MAX_DESCRIPTION_LENGTH:
        raise InvalidInputError(
            message=f"Description may not exceed {MAX_DESCRIPTION_LENGTH} characters.",
            data={"Field": "Description"},
        )
    xp = fields.get("xp")
    validate_xp(xp, len(json.dumps(xp)))
    return UserGroup(id=group_id, name=name, description=description, xp=xp)


async def _insert(
    session: AsyncSession, clock: Clock, marketplace_id: str, scope: UserScope, group: UserGroup
) -> None:
    """Insert, turning a concurrent insert of the same ID (unique violation) into 409."""
    if await _find(session, marketplace_id, scope, group.id):
        raise IdExistsError(OBJECT_TYPE, group.id)
    try:
        await user_groups.insert(
            session,
            marketplace_id=marketplace_id,
            owner=_owner(scope),
            group=group,
            now=clock.now(),
        )
    except IntegrityError as exc:
        raise IdExistsError(OBJECT_TYPE, group.id) from exc


async def _save(
    session: AsyncSession, marketplace_id: str, scope: UserScope, current_id: str, group: UserGroup
) -> None:
    if group.id != current_id and await _find(session, marketplace_id, scope, group.id):
        raise IdExistsError(OBJECT_TYPE, group.id)
    try:
        await user_groups.replace(
            session,
            marketplace_id=marketplace_id,
            owner=_owner(scope),
            current_id=current_id,
            group=group,
        )
    except IntegrityError as exc:
        raise IdExistsError(OBJECT_TYPE, group.id) from exc
    await impersonation_configs.follow_rename(
        session,
        marketplace_id,
        scope.user_type,
        scope.company_id,
        group=True,
        old_id=current_id,
        new_id=group.id,
    )


async def _require_member_parties(
    session: AsyncSession, marketplace_id: str, scope: UserScope, group_id: str, user_id: str
) -> int:
    """The user's internal ID, after checking company, then group, then a user of that same
    company: the first missing one is 404."""
    await _require_company(session, marketplace_id, scope)
    await _require(session, marketplace_id, scope, group_id)
    row = await users.get_row(
        session,
        marketplace_id=marketplace_id,
        user_type=scope.user_type,
        company_id=scope.company_id,
        user_id=user_id,
    )
    if row is None:
        raise NotFoundError(scope.object_type, user_id)
    return row.id


async def _require_company(session: AsyncSession, marketplace_id: str, scope: UserScope) -> None:
    company = scope.company_id
    if scope.user_type is UserType.BUYER and not await companies.buyer_exists(
        session, marketplace_id=marketplace_id, buyer_id=company
    ):
        raise NotFoundError("Buyer", company)
    if scope.user_type is UserType.SUPPLIER and not await companies.supplier_exists(
        session, marketplace_id=marketplace_id, supplier_id=company
    ):
        raise NotFoundError("Supplier", company)


async def _find(
    session: AsyncSession, marketplace_id: str, scope: UserScope, group_id: str
) -> UserGroup | None:
    return await user_groups.get(
        session, marketplace_id=marketplace_id, owner=_owner(scope), group_id=group_id
    )


async def _require(
    session: AsyncSession, marketplace_id: str, scope: UserScope, group_id: str
) -> UserGroup:
    group = await _find(session, marketplace_id, scope, group_id)
    if group is None:
        raise NotFoundError(OBJECT_TYPE, group_id)
    return group
