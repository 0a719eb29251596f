"""ImpersonationConfig rows ↔ the domain ``ImpersonationConfig`` (``''`` stands for null)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from gatehouse.domain.impersonation import PARTY_FIELDS, ImpersonationConfig
from gatehouse.domain.listing import ListQuery
from gatehouse.storage.listing import ColumnMap, fetch_page
from gatehouse.storage.models import ImpersonationConfigRow

_ROW = ImpersonationConfigRow
COLUMNS = ColumnMap(
    columns={
        "ID": _ROW.id,
        "Name": _ROW.name,
        "ImpersonationBuyerID": _ROW.impersonation_buyer_id,
        "ImpersonationGroupID": _ROW.impersonation_group_id,
        "ImpersonationUserID": _ROW.impersonation_user_id,
        "BuyerID": _ROW.buyer_id,
        "GroupID": _ROW.group_id,
        "UserID": _ROW.user_id,
        "SecurityProfileID": _ROW.security_profile_id,
        "ClientID": _ROW.client_id,
    }
)


def _to_domain(row: ImpersonationConfigRow) -> ImpersonationConfig:
    return ImpersonationConfig(
        id=row.id,
        name=row.name,
        security_profile_id=row.security_profile_id,
        client_id=row.client_id,
        **{name: getattr(row, name) or None for name, _ in PARTY_FIELDS},
    )


def _values(config: ImpersonationConfig) -> dict[str, Any]:
    return {
        "id": config.id,
        "name": config.name,
        "security_profile_id": config.security_profile_id,
        "client_id": config.client_id,
        **{name: getattr(config, name) or "" for name, _ in PARTY_FIELDS},
    }


async def get(
    session: AsyncSession, *, marketplace_id: str, config_id: str
) -> ImpersonationConfig | None:
    row = await session.get(_ROW, (marketplace_id, config_id))
    return None if row is None else _to_domain(row)


async def list_page(
    session: AsyncSession, *, marketplace_id: str, query: ListQuery
) -> tuple[list[ImpersonationConfig], int]:
    stmt = select(_ROW).where(_ROW.marketplace_id == marketplace_id)
    rows, total = await fetch_page(session, stmt, query, COLUMNS)
    return [_to_domain(row[0]) for row in rows], total


async def for_client(
    session: AsyncSession, *, marketplace_id: str, client_id: str
) -> list[ImpersonationConfig]:
    """Every config of one client: the candidates for a token request and for conflicts."""
    rows = await session.scalars(
        select(_ROW)
        .where(_ROW.marketplace_id == marketplace_id, _ROW.client_id == client_id)
        .order_by(_ROW.id)
    )
    return [_to_domain(row) for row in rows]


async def insert(
    session: AsyncSession, *, marketplace_id: str, config: ImpersonationConfig, now: datetime
) -> None:
    session.add(_ROW(marketplace_id=marketplace_id, created_at=now, **_values(config)))
    await session.flush()


async def replace(
    session: AsyncSession, *, marketplace_id: str, current_id: str, config: ImpersonationConfig
) -> None:
    row = await session.get(_ROW, (marketplace_id, current_id))
    if row is None:
        raise LookupError(current_id)
    for name, value in _values(config).items():
        setattr(row, name, value)
    await session.flush()


async def delete_config(session: AsyncSession, *, marketplace_id: str, config_id: str) -> bool:
    result = await session.execute(
        delete(_ROW).where(_ROW.marketplace_id == marketplace_id, _ROW.id == config_id)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


# --- references from other resources ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Reference:
    """What another resource's delete looks for in configs: a security profile, an API
    client, or a party's user or group (``company_id`` ``''`` for the seller's)."""

    profile_id: str | None = None
    client_id: str | None = None
    company_id: str = ""
    user_id: str | None = None
    group_id: str | None = None


async def first_referencing(
    session: AsyncSession, *, marketplace_id: str, reference: Reference
) -> str | None:
    """The ID of one config naming ``reference`` (a reference check before a delete)."""
    found: str | None = await session.scalar(
        select(_ROW.id)
        .where(_ROW.marketplace_id == marketplace_id, _condition(reference))
        .order_by(_ROW.id)
        .limit(1)
    )
    return found


def _condition(ref: Reference) -> ColumnElement[bool]:
    if ref.profile_id is not None:
        return _ROW.security_profile_id == ref.profile_id
    if ref.client_id is not None:
        return _ROW.client_id == ref.client_id
    if ref.user_id is not None:
        return _names_user(ref.company_id, ref.user_id)
    return _names_group(ref.company_id, ref.group_id or "")


def _names_user(company_id: str, user_id: str) -> ColumnElement[bool]:
    """Configs naming a user on either side: ``company_id`` ``''`` for an admin user (only
    the impersonator side can name one)."""
    impersonator = (_ROW.impersonation_buyer_id == company_id) & (
        _ROW.impersonation_user_id == user_id
    )
    if not company_id:
        return impersonator
    return or_(impersonator, (_ROW.buyer_id == company_id) & (_ROW.user_id == user_id))


def _names_group(company_id: str, group_id: str) -> ColumnElement[bool]:
    impersonator = (_ROW.impersonation_buyer_id == company_id) & (
        _ROW.impersonation_group_id == group_id
    )
    if not company_id:
        return impersonator
    return or_(impersonator, (_ROW.buyer_id == company_id) & (_ROW.group_id == group_id))


async def delete_for_buyer(session: AsyncSession, *, marketplace_id: str, buyer_id: str) -> None:
    """A deleted buyer takes with it every config naming it on either side."""
    if not buyer_id:
        raise ValueError("buyer_id is empty: that would match seller-side configs")
    await session.execute(
        delete(_ROW).where(
            _ROW.marketplace_id == marketplace_id,
            or_(_ROW.impersonation_buyer_id == buyer_id, _ROW.buyer_id == buyer_id),
        )
    )


async def rename_profile(
    session: AsyncSession, *, marketplace_id: str, old_id: str, new_id: str
) -> None:
    """Configs follow a security profile whose ID a PUT changed."""
    await session.execute(
        update(_ROW)
        .where(_ROW.marketplace_id == marketplace_id, _ROW.security_profile_id == old_id)
        .values(security_profile_id=new_id)
    )


async def rename_party(
    session: AsyncSession,
    *,
    marketplace_id: str,
    company_id: str,
    group: bool,
    old_id: str,
    new_id: str,
) -> None:
    """Configs follow a user (``group`` false) or group renamed by a PUT/PATCH: a buyer's
    (``company_id``) on either side, the seller's (``''``) on the impersonator side."""
    sides = [
        (_ROW.impersonation_buyer_id, _ROW.impersonation_group_id, _ROW.impersonation_user_id),
    ]
    if company_id:
        sides.append((_ROW.buyer_id, _ROW.group_id, _ROW.user_id))
    for buyer_column, group_column, user_column in sides:
        column = group_column if group else user_column
        await session.execute(
            update(_ROW)
            .where(
                _ROW.marketplace_id == marketplace_id,
                buyer_column == company_id,
                column == old_id,
            )
            .values({column.key: new_id})
        )
