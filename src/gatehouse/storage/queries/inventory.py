"""What an operator on the server machine lists and looks up across marketplaces
(``gatehouse marketplace list``, ``clients list|show``, ``audit list``): plain reads, no
marketplace scoping, since the operator sees every tenant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from gatehouse.domain.api_client_secrets import ApiClientSecret
from gatehouse.domain.audit import AuditQuery, StoredEvent
from gatehouse.storage.audit import to_domain
from gatehouse.storage.models import (
    ApiClientRow,
    ApiClientSecretRow,
    AuditEventRow,
    Marketplace,
    UserRow,
)


@dataclass(frozen=True, slots=True)
class MarketplaceSummary:
    id: str
    name: str
    active: bool
    created: datetime
    clients: int
    users: int


async def marketplaces(session: AsyncSession) -> list[MarketplaceSummary]:
    clients = (
        select(func.count())
        .where(ApiClientRow.marketplace_id == Marketplace.id)
        .correlate(Marketplace)
        .scalar_subquery()
    )
    users = (
        select(func.count())
        .where(UserRow.marketplace_id == Marketplace.id)
        .correlate(Marketplace)
        .scalar_subquery()
    )
    stmt = select(Marketplace, clients, users).order_by(Marketplace.created_at, Marketplace.id)
    return [
        MarketplaceSummary(row.id, row.name, row.active, row.created_at, int(c), int(u))
        for row, c, u in (await session.execute(stmt)).all()
    ]


async def marketplace_exists(session: AsyncSession, marketplace_id: str) -> bool:
    return await session.get(Marketplace, marketplace_id) is not None


async def client_ids(session: AsyncSession, marketplace_id: str | None) -> list[tuple[str, str]]:
    """``(marketplace_id, client_id)`` of every client, in one marketplace or all."""
    stmt = select(ApiClientRow.marketplace_id, ApiClientRow.id).order_by(
        ApiClientRow.marketplace_id, ApiClientRow.app_name, ApiClientRow.id
    )
    if marketplace_id is not None:
        stmt = stmt.where(ApiClientRow.marketplace_id == marketplace_id)
    return [(str(m), str(c)) for m, c in (await session.execute(stmt)).all()]


async def recent_events(session: AsyncSession, query: AuditQuery) -> list[StoredEvent]:
    """The newest events first, across marketplaces unless one is named."""
    row = AuditEventRow
    stmt = select(row).order_by(row.time.desc(), row.id.desc()).limit(query.limit)
    if query.client_id:
        stmt = stmt.where(
            or_(row.client_id == query.client_id, row.actor_client_id == query.client_id)
        )
    if query.event_type:
        stmt = stmt.where(row.event_type == query.event_type)
    if query.marketplace_id:
        stmt = stmt.where(row.marketplace_id == query.marketplace_id)
    if query.since is not None:
        stmt = stmt.where(row.time >= query.since)
    return [to_domain(r) for r in (await session.scalars(stmt)).all()]


async def secrets_of(session: AsyncSession, client_id: str) -> list[ApiClientSecret]:
    """A client's named secrets (IDs, names, expiries; never a value or hash)."""
    row = ApiClientSecretRow
    stmt = select(row).where(row.api_client_id == client_id).order_by(row.id)
    return [
        ApiClientSecret(r.id, r.name, r.expiration) for r in (await session.scalars(stmt)).all()
    ]
