"""``client_usage``: adding per-minute counts from many processes, reading a client's window,
last use, and retention."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import case, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from gatehouse.domain.usage import ISSUED, KIND_OUTCOME, KIND_STATUS, UsageKey
from gatehouse.storage.models import ClientLastUsedRow, ClientUsageRow

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
    await _raise_last_used(session, module, counts)


async def _raise_last_used(
    session: AsyncSession, module: Any, counts: Mapping[UsageKey, int]
) -> None:
    """Move each used client's ``client_last_used`` forward (never back: flushes from several
    processes may arrive out of order)."""
    newest: dict[tuple[str, str], datetime] = {}
    for (marketplace_id, client_id, minute, kind, label), count in counts.items():
        if count > 0 and _is_use(kind, label):
            key = (marketplace_id, client_id)
            newest[key] = max(minute, newest.get(key, minute))
    rows = [
        {"marketplace_id": m, "client_id": c, "last_used": when}
        for (m, c), when in sorted(newest.items())
    ]
    row = ClientLastUsedRow
    for start in range(0, len(rows), BATCH_ROWS):
        stmt = module.insert(row).values(rows[start : start + BATCH_ROWS])
        stmt = stmt.on_conflict_do_update(
            index_elements=["marketplace_id", "client_id"],
            set_={
                "last_used": case(
                    (stmt.excluded.last_used > row.last_used, stmt.excluded.last_used),
                    else_=row.last_used,
                )
            },
        )
        await session.execute(stmt)


def _is_use(kind: str, label: str) -> bool:
    """A token issued, or an API request made with the client's token (refusals are not)."""
    return kind == KIND_STATUS or (kind == KIND_OUTCOME and label == ISSUED)


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


async def last_used(
    session: AsyncSession, marketplace_id: str, client_ids: Iterable[str]
) -> dict[str, datetime | None]:
    """The newest minute in which each client was used (a token issued to it, or an API
    request made with one of its tokens), ``None`` when never; kept beyond the per-minute
    rows' retention.

    Refused token requests do not count: someone guessing secrets for an idle client does not
    make it look used. Counts not flushed yet (at most one flush interval) are not seen.
    """
    wanted = sorted(set(client_ids))
    found: dict[str, datetime | None] = dict.fromkeys(wanted)
    row = ClientLastUsedRow
    for start in range(0, len(wanted), BATCH_ROWS):
        stmt = select(row.client_id, row.last_used).where(
            row.marketplace_id == marketplace_id,
            row.client_id.in_(wanted[start : start + BATCH_ROWS]),
        )
        for client_id, when in await session.execute(stmt):
            found[client_id] = when
    return found
