"""SecurityProfile rows and their assignments."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, and_, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from gatehouse.domain.listing import ListQuery
from gatehouse.domain.security_profiles import ProfileAssignment, SecurityProfile
from gatehouse.storage.listing import ColumnMap, fetch_page
from gatehouse.storage.models import SecurityProfileAssignmentRow, SecurityProfileRow
from gatehouse.storage.queries._upsert import insert_ignoring_duplicates

COLUMNS = ColumnMap(
    columns={"ID": SecurityProfileRow.id, "Name": SecurityProfileRow.name},
)


def _to_domain(row: SecurityProfileRow) -> SecurityProfile:
    return SecurityProfile(
        id=row.id,
        name=row.name,
        roles=list(row.roles or []),
        custom_roles=list(row.custom_roles or []),
        password_config=row.password_config,
    )


async def get(
    session: AsyncSession, *, marketplace_id: str, profile_id: str
) -> SecurityProfile | None:
    row = await session.get(SecurityProfileRow, (marketplace_id, profile_id))
    return None if row is None else _to_domain(row)


async def list_page(
    session: AsyncSession, *, marketplace_id: str, query: ListQuery
) -> tuple[list[SecurityProfile], int]:
    stmt = select(SecurityProfileRow).where(SecurityProfileRow.marketplace_id == marketplace_id)
    rows, total = await fetch_page(session, stmt, query, COLUMNS)
    return [_to_domain(row[0]) for row in rows], total


async def insert(
    session: AsyncSession, *, marketplace_id: str, profile: SecurityProfile, now: datetime
) -> None:
    session.add(
        SecurityProfileRow(
            marketplace_id=marketplace_id,
            id=profile.id,
            name=profile.name,
            roles=profile.roles,
            custom_roles=profile.custom_roles,
            password_config=profile.password_config,
            created_at=now,
        )
    )
    await session.flush()


async def replace(
    session: AsyncSession, *, marketplace_id: str, current_id: str, profile: SecurityProfile
) -> None:
    row = await session.get(SecurityProfileRow, (marketplace_id, current_id))
    if row is None:
        raise LookupError(current_id)
    # Assignments follow a renamed ID through the foreign key's ON UPDATE CASCADE.
    row.id = profile.id
    row.name = profile.name
    row.roles = profile.roles
    row.custom_roles = profile.custom_roles
    row.password_config = profile.password_config
    await session.flush()


async def delete_profile(session: AsyncSession, *, marketplace_id: str, profile_id: str) -> bool:
    await session.execute(
        delete(SecurityProfileAssignmentRow).where(
            SecurityProfileAssignmentRow.marketplace_id == marketplace_id,
            SecurityProfileAssignmentRow.security_profile_id == profile_id,
        )
    )
    result = await session.execute(
        delete(SecurityProfileRow).where(
            SecurityProfileRow.marketplace_id == marketplace_id,
            SecurityProfileRow.id == profile_id,
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def _party_values(assignment: ProfileAssignment) -> dict[str, str]:
    return {
        "security_profile_id": assignment.security_profile_id,
        "buyer_id": assignment.buyer_id or "",
        "supplier_id": assignment.supplier_id or "",
        "user_id": assignment.user_id or "",
        "user_group_id": assignment.user_group_id or "",
    }


async def save_assignment(
    session: AsyncSession, *, marketplace_id: str, assignment: ProfileAssignment
) -> None:
    await insert_ignoring_duplicates(
        session,
        SecurityProfileAssignmentRow,
        {"marketplace_id": marketplace_id, **_party_values(assignment)},
    )


async def delete_assignment(
    session: AsyncSession, *, marketplace_id: str, assignment: ProfileAssignment
) -> bool:
    spa = SecurityProfileAssignmentRow
    values = _party_values(assignment)
    result = await session.execute(
        delete(spa).where(
            spa.marketplace_id == marketplace_id,
            *(getattr(spa, name) == value for name, value in values.items()),
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def list_assignments(
    session: AsyncSession,
    *,
    marketplace_id: str,
    filters: dict[str, str],
    commerce_role: str | None,
    level: str | None,
    page: int,
    page_size: int,
) -> tuple[list[ProfileAssignment], int]:
    """``filters`` maps column names to required values; ``commerce_role`` (``seller``,
    ``buyer``, ``supplier``) and ``level`` (``user``, ``group``, ``company``) narrow further."""
    spa = SecurityProfileAssignmentRow
    where = and_(
        spa.marketplace_id == marketplace_id,
        *(getattr(spa, name) == value for name, value in filters.items()),
        *_ROLE_CONDITIONS.get(commerce_role or "", ()),
        *_LEVEL_CONDITIONS.get(level or "", ()),
    )
    total = await session.scalar(select(func.count()).select_from(spa).where(where))
    rows = (
        await session.scalars(
            select(spa)
            .where(where)
            .order_by(spa.security_profile_id, spa.id)
            .limit(page_size)
            .offset((page - 1) * page_size)
        )
    ).all()
    return [assignment(row) for row in rows], int(total or 0)


_SPA = SecurityProfileAssignmentRow
_ROLE_CONDITIONS: dict[str, tuple[ColumnElement[bool], ...]] = {
    "seller": (_SPA.buyer_id == "", _SPA.supplier_id == ""),
    "buyer": (_SPA.buyer_id != "",),
    "supplier": (_SPA.supplier_id != "",),
}
_LEVEL_CONDITIONS: dict[str, tuple[ColumnElement[bool], ...]] = {
    "user": (_SPA.user_id != "",),
    "group": (_SPA.user_group_id != "",),
    "company": (_SPA.user_id == "", _SPA.user_group_id == ""),
}


def assignment(row: SecurityProfileAssignmentRow) -> ProfileAssignment:
    """A stored assignment as the domain reads it (empty strings are "not set")."""
    return ProfileAssignment(
        security_profile_id=row.security_profile_id,
        buyer_id=row.buyer_id or None,
        supplier_id=row.supplier_id or None,
        user_id=row.user_id or None,
        user_group_id=row.user_group_id or None,
    )
