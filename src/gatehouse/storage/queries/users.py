"""User rows (admin, buyer and supplier users share one table) ↔ the domain ``User``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from gatehouse.domain.roles import RoleSet
from gatehouse.domain.security_profiles import (
    ProfileAssignment,
    ProfileHolder,
    available_roles,
)
from gatehouse.domain.tokens import micros
from gatehouse.domain.users import User, UserType
from gatehouse.storage.lockout_signal import lockout_changed
from gatehouse.storage.models import (
    ApiClientRow,
    RefreshTokenRow,
    SecurityProfileAssignmentRow,
    SecurityProfileRow,
)

# Re-exported: services hold a user's row between two queries of one transaction without
# importing the models themselves.
from gatehouse.storage.models import UserRow as UserRow
from gatehouse.storage.queries import user_groups

# Re-exported: the services and the token store read a user's PasswordConfigs from here.
from gatehouse.storage.queries.password_configs import password_configs as password_configs
from gatehouse.storage.queries.security_profiles import assignment
from gatehouse.storage.queries.user_groups import GroupOwner

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
        tokens_valid_from=micros(now),
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
    """Delete a user and its user-level profile assignments, so a later user with the same ID
    inherits nothing (group memberships go with the row through their foreign key)."""
    spa = SecurityProfileAssignmentRow
    await session.execute(delete(spa).where(*_own_assignments(row), spa.user_id == row.external_id))
    await session.execute(delete(UserRow).where(UserRow.id == row.id))


async def clear_lockout(session: AsyncSession, row: UserRow) -> None:
    """Forget the failed logins and any lockout (spec §2.3). The flush invalidates the user
    (``WATCHED_TABLES``); the lockout generation moves too (``storage.lockout_signal``), as
    for every write of the counter."""
    row.failed_login_attempts = 0
    row.locked_until = None
    await session.flush()
    lockout_changed(session)


async def set_password_hash(
    session: AsyncSession, row: UserRow, password_hash: str, now: datetime
) -> None:
    """Store a new password hash, dated ``now`` (``PasswordLastSetDate``)."""
    row.password_hash = password_hash
    row.password_last_set = now
    await session.flush()


async def is_default_context_user(
    session: AsyncSession, *, marketplace_id: str, username: str
) -> bool:
    """Whether an API client of the marketplace names ``username`` (case-insensitively) as
    its DefaultContextUserName."""
    names = (
        await session.scalars(
            select(ApiClientRow.default_context_username).where(
                ApiClientRow.marketplace_id == marketplace_id,
                ApiClientRow.default_context_username.is_not(None),
            )
        )
    ).all()
    key = username_key(username)
    return any(name and username_key(name) == key for name in names)


async def revoke_tokens(session: AsyncSession, row: UserRow, valid_from: int) -> None:
    """Tokens issued before ``valid_from`` stop (never lowered: a clock that stepped back
    cannot revive revoked tokens); refresh tokens are deleted outright."""
    row.tokens_valid_from = max(row.tokens_valid_from, valid_from)
    await session.execute(delete(RefreshTokenRow).where(RefreshTokenRow.user_internal_id == row.id))
    await session.flush()


async def rename_assignments(session: AsyncSession, row: UserRow, new_id: str) -> None:
    """User-level profile assignments follow a user whose ID changes."""
    spa = SecurityProfileAssignmentRow
    await session.execute(
        update(spa)
        .where(*_own_assignments(row), spa.user_id == row.external_id)
        .values(user_id=new_id)
    )


def _own_assignments(row: UserRow) -> list[ColumnElement[bool]]:
    """Assignments made in the user's own party: the seller for admins, else the company."""
    spa = SecurityProfileAssignmentRow
    conditions = [spa.marketplace_id == row.marketplace_id]
    if row.user_type == UserType.ADMIN:
        return [*conditions, spa.buyer_id == "", spa.supplier_id == ""]
    if row.user_type == UserType.BUYER:
        return [*conditions, spa.buyer_id == row.company_id]
    return [*conditions, spa.supplier_id == row.company_id]


async def roles_for_rows(
    session: AsyncSession, *, marketplace_id: str, rows: list[UserRow]
) -> dict[int, RoleSet]:
    """AvailableRoles for several users of one marketplace in two queries, however many users
    and groups: one for their group memberships, one for the assignments that may reach them.
    """
    if not rows:
        return {}
    groups = await _own_groups(session, marketplace_id, rows)
    assignments, profiles = await _profile_reach(session, marketplace_id, rows, groups)
    return {
        row.id: available_roles(assignments, profiles, _holder(row, groups.get(row.id, set())))
        for row in rows
    }


def _holder(row: UserRow, group_ids: set[str]) -> ProfileHolder:
    return ProfileHolder(
        user_type=UserType(row.user_type),
        user_id=row.external_id,
        company_id=row.company_id or None,
        group_ids=frozenset(group_ids),
    )


async def _own_groups(
    session: AsyncSession, marketplace_id: str, rows: list[UserRow]
) -> dict[int, set[str]]:
    """The group IDs of each user, counting only groups of the user's own owner: the domain
    matches group assignments by company and group ID, so a membership in another owner's
    group (possible only through stale data) must not be mistaken for one in their own."""
    owners = {row.id: GroupOwner(UserType(row.user_type), row.company_id) for row in rows}
    found = await user_groups.memberships(
        session, marketplace_id=marketplace_id, user_internal_ids=list(owners)
    )
    groups: dict[int, set[str]] = {}
    for internal_id, owner, group_id in found:
        if owners.get(internal_id) == owner:
            groups.setdefault(internal_id, set()).add(group_id)
    return groups


async def _profile_reach(
    session: AsyncSession,
    marketplace_id: str,
    rows: list[UserRow],
    groups: dict[int, set[str]],
) -> tuple[list[ProfileAssignment], dict[str, RoleSet]]:
    """Assignments that could reach these users (pre-filtered in SQL by company, user and
    group), with their profiles' roles. The domain decides exactly which ones reach whom."""
    user_ids = {row.external_id for row in rows} | {""}
    group_ids = {gid for ids in groups.values() for gid in ids} | {""}
    sp, spa = SecurityProfileRow, SecurityProfileAssignmentRow
    stmt: Any = (
        select(spa, sp.roles, sp.custom_roles)
        .join(sp, (sp.marketplace_id == spa.marketplace_id) & (sp.id == spa.security_profile_id))
        .where(spa.marketplace_id == marketplace_id)
        .where(or_(*_company_reach(rows)))
        .where(spa.user_id.in_(user_ids))
        .where(spa.user_group_id.in_(group_ids))
    )
    found = (await session.execute(stmt)).all()
    assignments = [assignment(a) for a, _, _ in found]
    profiles = {
        a.security_profile_id: RoleSet(frozenset(roles or []), frozenset(custom or []))
        for a, roles, custom in found
    }
    return assignments, profiles


def _company_reach(rows: list[UserRow]) -> list[ColumnElement[bool]]:
    """One condition per distinct owner on the page (seller, each buyer, each supplier)."""
    spa = SecurityProfileAssignmentRow
    reach: list[ColumnElement[bool]] = []
    for user_type, company_id in sorted({(row.user_type, row.company_id) for row in rows}):
        if user_type == UserType.ADMIN:
            reach.append((spa.buyer_id == "") & (spa.supplier_id == ""))
        elif user_type == UserType.BUYER:
            reach.append(spa.buyer_id == company_id)
        else:
            reach.append(spa.supplier_id == company_id)
    return reach


async def get_by_internal_id(
    session: AsyncSession, *, marketplace_id: str, internal_id: int
) -> UserRow | None:
    """The user a token names (its ``u`` claim), within the token's marketplace."""
    return await session.scalar(
        select(UserRow).where(UserRow.marketplace_id == marketplace_id, UserRow.id == internal_id)
    )
