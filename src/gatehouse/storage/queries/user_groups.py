"""User groups of the seller, a buyer or a supplier, and their memberships.

A group's owner is ``(owner_type, company_id)``: ``("admin", "")`` for the seller's own
groups, else the buyer or supplier. Group IDs are unique only within their owner, so every
query here names the owner. Memberships reference users by their internal id, so renaming a
user never touches them; renaming a group cascades to them through the foreign key.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from gatehouse.domain.listing import ListQuery

# Re-exported: the services import both from here.
from gatehouse.domain.user_groups import GroupOwner as GroupOwner
from gatehouse.domain.user_groups import UserGroup as UserGroup
from gatehouse.domain.users import UserType
from gatehouse.storage.listing import ColumnMap, fetch_page
from gatehouse.storage.models import (
    SecurityProfileAssignmentRow,
    UserGroupAssignmentRow,
    UserGroupRow,
    UserRow,
)
from gatehouse.storage.queries._upsert import insert_ignoring_duplicates

COLUMNS = ColumnMap(
    columns={
        "ID": UserGroupRow.id,
        "Name": UserGroupRow.name,
        "Description": UserGroupRow.description,
    },
    xp=UserGroupRow.xp,
)


def _to_domain(row: UserGroupRow) -> UserGroup:
    return UserGroup(id=row.id, name=row.name, description=row.description, xp=row.xp)


def _owned(marketplace_id: str, owner: GroupOwner) -> list[ColumnElement[bool]]:
    return [
        UserGroupRow.marketplace_id == marketplace_id,
        UserGroupRow.owner_type == owner.owner_type.value,
        UserGroupRow.company_id == owner.company_id,
    ]


async def get(
    session: AsyncSession, *, marketplace_id: str, owner: GroupOwner, group_id: str
) -> UserGroup | None:
    row = await session.scalar(
        select(UserGroupRow).where(*_owned(marketplace_id, owner), UserGroupRow.id == group_id)
    )
    return None if row is None else _to_domain(row)


async def list_page(
    session: AsyncSession, *, marketplace_id: str, owner: GroupOwner, query: ListQuery
) -> tuple[list[UserGroup], int]:
    stmt = select(UserGroupRow).where(*_owned(marketplace_id, owner))
    rows, total = await fetch_page(session, stmt, query, COLUMNS)
    return [_to_domain(row[0]) for row in rows], total


async def list_for_member(
    session: AsyncSession, *, marketplace_id: str, user_internal_id: int, query: ListQuery
) -> tuple[list[UserGroup], int]:
    """The groups one user belongs to, whoever owns them (a page of ``query``)."""
    ugm = UserGroupAssignmentRow
    stmt = (
        select(UserGroupRow)
        .join(
            ugm,
            (ugm.marketplace_id == UserGroupRow.marketplace_id)
            & (ugm.owner_type == UserGroupRow.owner_type)
            & (ugm.company_id == UserGroupRow.company_id)
            & (ugm.user_group_id == UserGroupRow.id),
        )
        .where(
            UserGroupRow.marketplace_id == marketplace_id, ugm.user_internal_id == user_internal_id
        )
    )
    rows, total = await fetch_page(session, stmt, query, COLUMNS)
    return [_to_domain(row[0]) for row in rows], total


async def insert(
    session: AsyncSession,
    *,
    marketplace_id: str,
    owner: GroupOwner,
    group: UserGroup,
    now: datetime,
) -> None:
    session.add(
        UserGroupRow(
            marketplace_id=marketplace_id,
            owner_type=owner.owner_type.value,
            company_id=owner.company_id,
            id=group.id,
            name=group.name,
            description=group.description,
            xp=group.xp,
            created_at=now,
        )
    )
    await session.flush()


async def replace(
    session: AsyncSession,
    *,
    marketplace_id: str,
    owner: GroupOwner,
    current_id: str,
    group: UserGroup,
) -> None:
    """Overwrite a group; a new ID carries its members (FK cascade) and its security profile
    assignments (no FK, so updated here) along."""
    await session.execute(
        update(UserGroupRow)
        .where(*_owned(marketplace_id, owner), UserGroupRow.id == current_id)
        .values(id=group.id, name=group.name, description=group.description, xp=group.xp)
    )
    if group.id != current_id:
        spa = SecurityProfileAssignmentRow
        await session.execute(
            update(spa)
            .where(*_profile_party(marketplace_id, owner), spa.user_group_id == current_id)
            .values(user_group_id=group.id)
        )


async def delete_group(
    session: AsyncSession, *, marketplace_id: str, owner: GroupOwner, group_id: str
) -> bool:
    """Delete a group, its memberships (FK cascade) and the security profile assignments
    made to it. False if there was no such group."""
    spa = SecurityProfileAssignmentRow
    await session.execute(
        delete(spa).where(*_profile_party(marketplace_id, owner), spa.user_group_id == group_id)
    )
    result = await session.execute(
        delete(UserGroupRow).where(*_owned(marketplace_id, owner), UserGroupRow.id == group_id)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def _profile_party(marketplace_id: str, owner: GroupOwner) -> list[ColumnElement[bool]]:
    """Security profile assignments whose party columns name ``owner`` (spec §5.2)."""
    spa = SecurityProfileAssignmentRow
    buyer = owner.company_id if owner.owner_type is UserType.BUYER else ""
    supplier = owner.company_id if owner.owner_type is UserType.SUPPLIER else ""
    return [
        spa.marketplace_id == marketplace_id,
        spa.buyer_id == buyer,
        spa.supplier_id == supplier,
    ]


def _membership(
    marketplace_id: str, owner: GroupOwner, group_id: str, user_internal_id: int
) -> dict[str, Any]:
    return {
        "marketplace_id": marketplace_id,
        "owner_type": owner.owner_type.value,
        "company_id": owner.company_id,
        "user_group_id": group_id,
        "user_internal_id": user_internal_id,
    }


async def add_member(
    session: AsyncSession,
    *,
    marketplace_id: str,
    owner: GroupOwner,
    group_id: str,
    user_internal_id: int,
) -> None:
    """Idempotent, also under concurrent identical requests."""
    values = _membership(marketplace_id, owner, group_id, user_internal_id)
    await insert_ignoring_duplicates(session, UserGroupAssignmentRow, values)


async def remove_member(
    session: AsyncSession,
    *,
    marketplace_id: str,
    owner: GroupOwner,
    group_id: str,
    user_internal_id: int,
) -> None:
    ugm = UserGroupAssignmentRow
    values = _membership(marketplace_id, owner, group_id, user_internal_id)
    await session.execute(delete(ugm).where(*(getattr(ugm, k) == v for k, v in values.items())))


async def list_members(
    session: AsyncSession,
    *,
    marketplace_id: str,
    owner: GroupOwner,
    filters: dict[str, str],
    page: int,
    page_size: int,
) -> tuple[list[tuple[str, str]], int]:
    """(group ID, user ID) pairs, ordered by group then user. ``filters`` may hold
    ``user_group_id`` and ``user_id`` (the user's public ID)."""
    ugm = UserGroupAssignmentRow
    where = [
        ugm.marketplace_id == marketplace_id,
        ugm.owner_type == owner.owner_type.value,
        ugm.company_id == owner.company_id,
    ]
    if "user_group_id" in filters:
        where.append(ugm.user_group_id == filters["user_group_id"])
    if "user_id" in filters:
        where.append(UserRow.external_id == filters["user_id"])
    joined = select(ugm.user_group_id, UserRow.external_id).join(
        UserRow, UserRow.id == ugm.user_internal_id
    )
    total = await session.scalar(select(func.count()).select_from(joined.where(*where).subquery()))
    page_stmt = joined.where(*where).order_by(ugm.user_group_id, UserRow.external_id)
    rows = await session.execute(page_stmt.limit(page_size).offset((page - 1) * page_size))
    return [(group_id, user_id) for group_id, user_id in rows], int(total or 0)


async def memberships(
    session: AsyncSession, *, marketplace_id: str, user_internal_ids: Collection[int]
) -> list[tuple[int, GroupOwner, str]]:
    """Every membership of these users, in one query: (user internal id, owner, group ID)."""
    ugm = UserGroupAssignmentRow
    found = await session.execute(
        select(ugm.user_internal_id, ugm.owner_type, ugm.company_id, ugm.user_group_id).where(
            ugm.marketplace_id == marketplace_id,
            ugm.user_internal_id.in_(user_internal_ids),
        )
    )
    return [
        (internal_id, GroupOwner(UserType(owner_type), company_id), group_id)
        for internal_id, owner_type, company_id, group_id in found
    ]
