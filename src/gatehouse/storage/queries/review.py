"""The configuration review's reads: every fact about every client of a marketplace in a
fixed number of queries, however many clients there are (no query per client)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from gatehouse.domain.roles import RoleSet
from gatehouse.domain.security_profiles import ProfileAssignment
from gatehouse.storage.models import (
    ApiClientAssignmentRow,
    ApiClientRow,
    ApiClientSecretRow,
    Marketplace,
    RefreshTokenRow,
    SecurityProfileAssignmentRow,
    SecurityProfileRow,
    UserRow,
)
from gatehouse.storage.queries import users


async def created_dates(session: AsyncSession, *, marketplace_id: str) -> dict[str, datetime]:
    stmt = select(ApiClientRow.id, ApiClientRow.created_at).where(
        ApiClientRow.marketplace_id == marketplace_id
    )
    return {row.id: row.created_at for row in (await session.execute(stmt)).all()}


async def client_assignments(
    session: AsyncSession, *, marketplace_id: str
) -> dict[str, tuple[set[str], set[str]]]:
    """client ID → (assigned buyer IDs, assigned supplier IDs), for every client at once."""
    a = ApiClientAssignmentRow
    stmt = select(a.api_client_id, a.buyer_id, a.supplier_id).where(
        a.marketplace_id == marketplace_id
    )
    found: dict[str, tuple[set[str], set[str]]] = {}
    for client_id, buyer_id, supplier_id in (await session.execute(stmt)).all():
        buyers, suppliers = found.setdefault(client_id, (set(), set()))
        if buyer_id:
            buyers.add(buyer_id)
        if supplier_id:
            suppliers.add(supplier_id)
    return found


async def named_secret_counts(session: AsyncSession, *, marketplace_id: str) -> dict[str, int]:
    s = ApiClientSecretRow
    stmt = (
        select(s.api_client_id, func.count())
        .where(s.marketplace_id == marketplace_id)
        .group_by(s.api_client_id)
    )
    return {client_id: int(count) for client_id, count in (await session.execute(stmt)).all()}


async def profile_assignments(
    session: AsyncSession, *, marketplace_id: str
) -> tuple[list[ProfileAssignment], dict[str, RoleSet]]:
    """Every security profile assignment of the marketplace, with its profile's roles."""
    sp, spa = SecurityProfileRow, SecurityProfileAssignmentRow
    stmt: Any = (
        select(spa, sp.roles, sp.custom_roles)
        .join(sp, (sp.marketplace_id == spa.marketplace_id) & (sp.id == spa.security_profile_id))
        .where(spa.marketplace_id == marketplace_id)
    )
    found = (await session.execute(stmt)).all()
    assignments = [
        ProfileAssignment(
            security_profile_id=a.security_profile_id,
            buyer_id=a.buyer_id or None,
            supplier_id=a.supplier_id or None,
            user_id=a.user_id or None,
            user_group_id=a.user_group_id or None,
        )
        for a, _, _ in found
    ]
    profiles = {
        a.security_profile_id: RoleSet(frozenset(roles or []), frozenset(custom or []))
        for a, roles, custom in found
    }
    return assignments, profiles


async def roles_by_username(
    session: AsyncSession, *, marketplace_id: str, usernames: Collection[str]
) -> dict[str, RoleSet]:
    """AvailableRoles of several users by username (keyed case-insensitively, as usernames
    match): one query for the users and the two of ``users.roles_for_rows``."""
    keys = {users.username_key(name) for name in usernames}
    if not keys:
        return {}
    rows = list(
        (
            await session.scalars(
                select(UserRow).where(
                    UserRow.marketplace_id == marketplace_id, UserRow.username_key.in_(keys)
                )
            )
        ).all()
    )
    roles = await users.roles_for_rows(session, marketplace_id=marketplace_id, rows=rows)
    return {row.username_key: roles.get(row.id, RoleSet()) for row in rows}


async def newest_refresh_tokens(
    session: AsyncSession, *, marketplace_id: str, client_ids: Collection[str]
) -> dict[str, datetime]:
    """client ID → when its newest stored refresh token was issued (clients with none are
    absent). Expired and revoked tokens count: they still record a use."""
    r = RefreshTokenRow
    stmt = (
        select(r.api_client_id, func.max(r.created_at))
        .where(r.marketplace_id == marketplace_id, r.api_client_id.in_(list(client_ids)))
        .group_by(r.api_client_id)
    )
    return {
        client_id: _utc(newest)
        for client_id, newest in (await session.execute(stmt)).all()
        if newest is not None
    }


def _utc(value: datetime | str) -> datetime:
    """Should ``max()`` lose the column type (SQLite stores text), read the value as UTC."""
    parsed = datetime.fromisoformat(value) if isinstance(value, str) else value
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


async def marketplace_ids(session: AsyncSession) -> list[str]:
    return list((await session.scalars(select(Marketplace.id).order_by(Marketplace.id))).all())
