"""Audit events in the database: ``record`` inside a change's own transaction, batched
inserts for buffered token events, the list query and the retention purge."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from gatehouse.domain.audit import Actor, AuditEvent, AuditFilter, AuditUser, StoredEvent
from gatehouse.domain.listing import ListQuery
from gatehouse.storage.db import Database
from gatehouse.storage.listing import ColumnMap, fetch_page
from gatehouse.storage.models import AuditEventRow

COLUMNS = ColumnMap(
    {
        "ID": AuditEventRow.id,
        "Time": AuditEventRow.time,
        "EventType": AuditEventRow.event_type,
        "ClientID": AuditEventRow.client_id,
    }
)
PURGE_BATCH = 1000


def _values(event: AuditEvent, now: datetime) -> dict[str, Any]:
    actor, user = event.actor, event.user
    return {
        "time": event.time or now,
        "marketplace_id": event.marketplace_id,
        "event_type": event.event_type,
        "actor_type": actor.kind,
        "actor_user_id": actor.user_internal_id,
        "actor_username": actor.username,
        "actor_user_type": actor.user_type,
        "actor_client_id": actor.client_id,
        "client_id": event.client_id,
        "user_internal_id": None if user is None else user.internal_id,
        "username": None if user is None else user.username,
        "user_type": None if user is None else user.user_type,
        "details": dict(event.details) or None,
    }


async def record(session: AsyncSession, event: AuditEvent, now: datetime | None = None) -> None:
    """Add one event to the caller's write transaction: it commits or rolls back with the
    change it records."""
    await session.execute(insert(AuditEventRow).values(_values(event, now or datetime.now(UTC))))


async def insert_many(db: Database, events: Sequence[AuditEvent], now: datetime) -> None:
    """One transaction, one multi-row INSERT (token events flushed from the buffer)."""
    if not events:
        return
    async with db.write() as session:
        connection = await session.connection()
        await connection.execute(_INSERT, [_values(e, now) for e in events])


_INSERT = insert(AuditEventRow)


def to_domain(row: AuditEventRow) -> StoredEvent:
    has_user = row.user_internal_id is not None or row.username is not None
    event = AuditEvent(
        event_type=row.event_type,
        marketplace_id=row.marketplace_id,
        actor=Actor(
            kind=row.actor_type,
            user_internal_id=row.actor_user_id,
            username=row.actor_username,
            user_type=row.actor_user_type,
            client_id=row.actor_client_id,
        ),
        client_id=row.client_id,
        user=AuditUser(row.user_internal_id, row.username, row.user_type) if has_user else None,
        details=row.details or {},
        time=row.time,
    )
    return StoredEvent(row.id, row.time, event)


async def list_page(
    session: AsyncSession, *, marketplace_id: str, where: AuditFilter, query: ListQuery
) -> tuple[list[StoredEvent], int]:
    """One marketplace's events (and the server-wide ones) in ``[since, until]``.

    ``client_id`` matches the client concerned or the client the actor used; ``username``
    matches the user concerned or the acting user (case-insensitively).
    """
    row = AuditEventRow
    stmt = select(row).where(
        or_(row.marketplace_id == marketplace_id, row.marketplace_id.is_(None)),
        row.time >= where.since,
        row.time <= where.until,
    )
    if where.client_id is not None:
        stmt = stmt.where(
            or_(row.client_id == where.client_id, row.actor_client_id == where.client_id)
        )
    if where.username is not None:
        key = where.username.lower()
        stmt = stmt.where(
            or_(func.lower(row.username) == key, func.lower(row.actor_username) == key)
        )
    rows, total = await fetch_page(session, stmt, query, COLUMNS)
    return [to_domain(r[0]) for r in rows], total


async def mentions_client(session: AsyncSession, *, marketplace_id: str, client_id: str) -> bool:
    """Whether any event of the marketplace names the client (a deleted client stays
    queryable)."""
    row = AuditEventRow
    found = await session.scalar(
        select(row.id)
        .where(
            row.marketplace_id == marketplace_id,
            or_(row.client_id == client_id, row.actor_client_id == client_id),
        )
        .limit(1)
    )
    return found is not None


async def count_before(db: Database, before: datetime) -> int:
    async with db.read() as session:
        stmt = select(func.count()).where(AuditEventRow.time < before)
        return int(await session.scalar(stmt) or 0)


async def purge(
    db: Database,
    before: datetime,
    batch: int = PURGE_BATCH,
    on_batch: Callable[[int], None] | None = None,
) -> int:
    """Delete events older than ``before`` in batches of ``batch`` rows, each its own short
    transaction, so a large purge never holds a long lock. Returns how many were deleted;
    ``on_batch`` hears each batch's count (the CLI's progress bar)."""
    total = 0
    while True:
        async with db.write() as session:
            ids = select(AuditEventRow.id).where(AuditEventRow.time < before).limit(batch)
            result = await session.execute(
                delete(AuditEventRow).where(AuditEventRow.id.in_(ids.scalar_subquery()))
            )
            deleted = int(getattr(result, "rowcount", 0) or 0)
        total += deleted
        if on_batch is not None:
            on_batch(deleted)
        if deleted < batch:
            return total
