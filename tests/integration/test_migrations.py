"""Migrations: upgrade, downgrade and upgrade again on the session's backend, and the models
match what the migrations build (no autogenerate drift)."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection

from gatehouse.settings import Settings
from gatehouse.storage import migrate
from gatehouse.storage.db import create_engine
from gatehouse.storage.models import Base

pytestmark = pytest.mark.asyncio


def _drift(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


async def test_round_trip_and_no_drift(fresh_database_url: str) -> None:
    url = Settings(database_url=fresh_database_url).effective_database_url
    await migrate.upgrade(url)
    await migrate.downgrade(url, "base")
    await migrate.upgrade(url)
    # Each revision's downgrade must undo its own upgrade exactly: step down one at a time and
    # back up (a column left behind by a downgrade fails the next upgrade).
    for revision in ("0015", "0013", "0012", "0011", "0010", "0009"):
        await migrate.downgrade(url, revision)
        await migrate.upgrade(url)
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            drift = await conn.run_sync(_drift)
    finally:
        await engine.dispose()
    assert drift == []
