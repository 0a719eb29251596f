"""Locks that make one-time work happen once when several nodes start together."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

BOOTSTRAP_LOCK_ID = 0x676174656B6579  # "gatekey"


async def bootstrap_lock(session: AsyncSession) -> None:
    """Serialise the first-start work (first signing key, first marketplace) across nodes,
    until the calling write transaction ends. On PostgreSQL a transaction-scoped advisory
    lock; on SQLite the write transaction's ``BEGIN IMMEDIATE`` already excludes every other
    writer, so there is nothing more to take."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": BOOTSTRAP_LOCK_ID})
