"""``client_usage``: adding per-minute counts from many processes, reading a client's window,
last use, and retention."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from gatehouse.domain.usage import ISSUED, KIND_OUTCOME, KIND_STATUS, UsageKey
from gatehouse.storage.models import ClientUsageRow

BATCH_ROWS = 500
"""Rows per ``INSERT`` (6 parameters each: far below either database's parameter limit)."""


async def add_counts(session: AsyncSession, counts: Mapping[UsageKey, int]) -> None:
    """Add ``counts`` to the stored ones (``INSERT … ON CONFLICT DO UPDATE count = count +
    excluded.count``), atomic per row on both databases however many processes flush at once.
    Rows go in key order so concurrent flushes lock rows in the same order (no deadlock)."""
    dialect = session.get_bind().dialect.name
    module: Any = postgresql if dialect == "postgresql" else sqlite
    rows = [
        {
            "marketplace_id": key[0],
            "client_id": key[1],
            "minute": key[2],
            "kind": key[3],
            "label": key[4],
            "count": count,
        }
        for key, count in sorted(counts.items())
    ]
    for start in range(0, len(rows), BATCH_ROWS):
        stmt = module.insert(ClientUsageRow).values(rows[start : start + BATCH_ROWS])
        stmt = stmt.on_conflict_do_update(
            index_elements=["marketplace_id", "client_id", "minute", "kind", "label"],
            set_={"count": ClientUsageRow.count + stmt.excluded.count},
        )
        await session.execute(stmt)


async def delete_before(session: AsyncSession, cutoff: datetime) -> int:
    result: Any = await session.execute(
        delete(ClientUsageRow).where(ClientUsageRow.minute < cutoff)
    )
    return int(result.rowcount or 0)


async def window(
    session: AsyncSession, *, marketplace_id: str, client_id: str, since: datetime
) -> list[tuple[datetime, str, str, int]]:
    """The client's ``(minute, kind, label, count)`` rows from ``since`` on."""
    stmt = select(
        ClientUsageRow.minute, ClientUsageRow.kind, ClientUsageRow.label, ClientUsageRow.count
    ).where(
        ClientUsageRow.marketplace_id == marketplace_id,
        ClientUsageRow.client_id == client_id,
        ClientUsageRow.minute >= since,
    )
    return [(row[0], row[1], row[2], row[3]) for row in await session.execute(stmt)]


_USED = or_(
    ClientUsageRow.kind == KIND_STATUS,
    and_(ClientUsageRow.kind == KIND_OUTCOME, ClientUsageRow.label == ISSUED),
)


async def last_used(
    session: AsyncSession, marketplace_id: str, client_ids: Iterable[str]
) -> dict[str, datetime | None]:
    """The newest minute in which each client was used (a token issued to it, or an API
    request made with one of its tokens), ``None`` when never within the retention period.

    Refused token requests do not count: someone guessing secrets for an idle client does not
    make it look used. Counts not flushed yet (at most one flush interval) are not seen.
    """
    wanted = sorted(set(client_ids))
    found: dict[str, datetime | None] = dict.fromkeys(wanted)
    for start in range(0, len(wanted), BATCH_ROWS):
        stmt = (
            select(ClientUsageRow.client_id, func.max(ClientUsageRow.minute))
            .where(
                ClientUsageRow.marketplace_id == marketplace_id,
                ClientUsageRow.client_id.in_(wanted[start : start + BATCH_ROWS]),
                _USED,
            )
            .group_by(ClientUsageRow.client_id)
        )
        for client_id, minute in await session.execute(stmt):
            found[client_id] = minute
    return found
