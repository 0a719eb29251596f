"""User rows (admin, buyer and supplier users share one table) ↔ the domain ``User``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from gatehouse.domain.listing import ListQuery
from gatehouse.domain.roles import RoleSet
from gatehouse.domain.security_profiles import ProfileAssignment, ProfileHolder, available_roles
from gatehouse.domain.users import User, UserType
from gatehouse.storage.listing import ColumnMap, fetch_page
from gatehouse.storage.models import SecurityProfileAssignmentRow, SecurityProfileRow, UserRow

COLUMNS = ColumnMap(
    columns={
        "ID": UserRow.external_id,
        "Username": UserRow.username,
        "FirstName": UserRow.first_name,
        "LastName": UserRow.last_name,
        "Email": UserRow.email,
        "Phone": UserRow.phone,
        "Active": UserRow.active,
        "DateCreated": UserRow.created_at,
        "PasswordLastSetDate": UserRow.password_last_set,
    },
    xp=UserRow.xp,
)

_WRITABLE = ("username", "first_name", "last_name", "email", "phone", "active", "xp")


def username_key(username: str) -> str:
    """Usernames are unique case-insensitively within a marketplace."""
    return username.casefold()


def to_domain(row: UserRow) -> User:
    return User(
        id=row.external_id,
        username=row.username,
        user_type=UserType(row.user_type),
        company_id=row.company_id or None,
        first_name=row.first_name,
        last_name=row.last_name,
        email=row.email,
        phone=row.phone,
        active=row.active,
        xp=row.xp,
        internal_id=row.id,
        date_created=row.created_at,
        password_last_set=row.password_last_set,
        failed_login_attempts=row.failed_login_attempts,
    )


async def find_by_username(
    session: AsyncSession, *, marketplace_id: str, username: str
) -> UserRow | None:
    return await session.scalar(
        select(UserRow).where(
            UserRow.marketplace_id == marketplace_id,
            UserRow.username_key == username_key(username),
        )
    )


async def username_taken(
    session: AsyncSession, *, marketplace_id: str, username: str, except_internal_id: int | None
) -> bool:
    row = await find_by_username(session, marketplace_id=marketplace_id, username=username)
    return row is not None and row.id != except_internal_id


async def get_row(
    session: AsyncSession,
    *,
    marketplace_id: str,
    user_type: UserType,
    company_id: str,
    user_id: str,
) -> UserRow | None:
    return await session.scalar(
        select(UserRow).where(
            UserRow.marketplace_id == marketplace_id,
            UserRow.user_type == user_type.value,
            UserRow.company_id == company_id,
            UserRow.external_id == user_id,
        )
    )


async def list_page(
    session: AsyncSession,
    *,
    marketplace_id: str,
    user_type: UserType,
    company_id: str,
    query: ListQuery,
) -> tuple[list[UserRow], int]:
    stmt = select(UserRow).where(
        UserRow.marketplace_id == marketplace_id,
        UserRow.user_type == user_type.value,
        UserRow.company_id == company_id,
    )
    rows, total = await fetch_page(session, stmt, query, COLUMNS)
    return [row[0] for row in rows], total


async def insert(
    session: AsyncSession,
    *,
    marketplace_id: str,
    user: User,
    password_hash: str | None,
    now: datetime,
) -> UserRow:
    row = UserRow(
        marketplace_id=marketplace_id,
        user_type=user.user_type.value,
        company_id=user.company_id or "",
        external_id=user.id,
        username_key=username_key(user.username),
        password_hash=password_hash,
        password_last_set=now if password_hash else None,
        failed_login_attempts=0,
        created_at=now,
        **{name: getattr(user, name) for name in _WRITABLE},
    )
    session.add(row)
    await session.flush()
    return row


def apply_changes(row: UserRow, user: User) -> None:
    """Copy the writable fields of ``user`` onto its row (ID changes included)."""
    row.external_id = user.id
    row.username_key = username_key(user.username)
    for name in _WRITABLE:
        setattr(row, name, getattr(user, name))


async def delete_row(session: AsyncSession, row: UserRow) -> None:
    await session.execute(delete(UserRow).where(UserRow.id == row.id))


async def roles_for_rows(
    session: AsyncSession, *, marketplace_id: str, rows: list[UserRow]
) -> dict[int, RoleSet]:
    """AvailableRoles for several users of one marketplace in a single query."""
    if not rows:
        return {}
    assignments, profiles = await _profile_reach(session, marketplace_id, rows)
    return {row.id: available_roles(assignments, profiles, _holder(row)) for row in rows}


def _holder(row: UserRow) -> ProfileHolder:
    return ProfileHolder(
        user_type=UserType(row.user_type),
        user_id=row.external_id,
        company_id=row.company_id or None,
    )


async def _profile_reach(
    session: AsyncSession, marketplace_id: str, rows: list[UserRow]
) -> tuple[list[ProfileAssignment], dict[str, RoleSet]]:
    """Assignments that could reach these users (pre-filtered in SQL by company and user),
    with their profiles' roles. The domain decides exactly which ones reach whom."""
    user_ids = {row.external_id for row in rows} | {""}
    sp, spa = SecurityProfileRow, SecurityProfileAssignmentRow
    reach: list[ColumnElement[bool]] = []
    for row in rows:
        if row.user_type == UserType.ADMIN:
            reach.append((spa.buyer_id == "") & (spa.supplier_id == ""))
        elif row.user_type == UserType.BUYER:
            reach.append(spa.buyer_id == row.company_id)
        else:
            reach.append(spa.supplier_id == row.company_id)
    stmt: Any = (
        select(spa, sp.roles, sp.custom_roles)
        .join(sp, (sp.marketplace_id == spa.marketplace_id) & (sp.id == spa.security_profile_id))
        .where(spa.marketplace_id == marketplace_id)
        .where(or_(*reach))
        .where(spa.user_id.in_(user_ids))
    )
    found = (await session.execute(stmt)).all()
    assignments = [_assignment(a) for a, _, _ in found]
    profiles = {
        a.security_profile_id: RoleSet(frozenset(roles or []), frozenset(custom or []))
        for a, roles, custom in found
    }
    return assignments, profiles


def _assignment(row: SecurityProfileAssignmentRow) -> ProfileAssignment:
    return ProfileAssignment(
        security_profile_id=row.security_profile_id,
        buyer_id=row.buyer_id or None,
        supplier_id=row.supplier_id or None,
        user_id=row.user_id or None,
        user_group_id=row.user_group_id or None,
    )


async def company_of(session: AsyncSession, *, internal_id: int) -> tuple[str, str] | None:
    """(marketplace ID, company ID) of a user, or None if the user no longer exists."""
    found = (
        await session.execute(
            select(UserRow.marketplace_id, UserRow.company_id).where(UserRow.id == internal_id)
        )
    ).first()
    return None if found is None else (found[0], found[1])
