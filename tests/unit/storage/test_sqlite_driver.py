"""SQLite statements cost one aiosqlite thread hand-off each, a read session's SELECTs none
(they run on the event loop's thread, within a budget), and the results SQLAlchemy reads are
the same as through plain aiosqlite (issue 12)."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select, text, update
from sqlalchemy.exc import IntegrityError, OperationalError

from gatehouse.storage import sqlite_driver
from gatehouse.storage.db import Database
from gatehouse.storage.sqlite_driver import OneHopConnection

pytestmark = pytest.mark.asyncio

META = MetaData()
ITEMS = Table(
    "items",
    META,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(20), unique=True),
)


@pytest_asyncio.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'driver.db'}")
    async with database.write_engine.begin() as conn:
        await conn.run_sync(META.create_all)
    yield database
    await database.read_engine.dispose()
    await database.write_engine.dispose()


@pytest.fixture
def hops(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every call handed to a connection's thread after the fixture starts."""
    seen: list[Any] = []
    original = OneHopConnection._execute

    async def counted(self: OneHopConnection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(fn)
        return await original(self, fn, *args, **kwargs)  # type: ignore[no-untyped-call]

    monkeypatch.setattr(OneHopConnection, "_execute", counted)
    return seen


COUNT_TO_A_MILLION = (
    "SELECT (WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 1000000)"
    " SELECT count(*) FROM n)"
)
"""A SELECT that runs far past the inline budget (tens of ms)."""


async def _warm(db: Database) -> None:
    """A pooled read connection, so the measured session pays no connect and no PRAGMAs."""
    async with db.read() as session:
        await session.execute(select(1))


async def test_a_read_session_hands_nothing_to_the_thread(db: Database, hops: list[Any]) -> None:
    async with db.write() as session:
        await session.execute(insert(ITEMS), [{"name": "a"}, {"name": "b"}])
    await _warm(db)
    hops.clear()
    async with db.read() as session:
        names = (await session.scalars(select(ITEMS.c.name).order_by(ITEMS.c.name))).all()
        count = await session.scalar(select(ITEMS.c.id).where(ITEMS.c.name == "b"))
    assert names == ["a", "b"] and count == 2
    assert hops == []  # both SELECTs ran inline; no COMMIT with nothing open


async def test_a_write_session_costs_one_hop_per_statement(db: Database, hops: list[Any]) -> None:
    async with db.write() as session:
        await session.execute(insert(ITEMS).values(name="w"))
    hops.clear()
    async with db.write() as session:
        found = await session.scalar(select(ITEMS.c.id).where(ITEMS.c.name == "w"))
        await session.execute(update(ITEMS).where(ITEMS.c.id == found).values(name="v"))
    # BEGIN IMMEDIATE, the SELECT (inside the write transaction), the UPDATE, COMMIT
    assert len(hops) == 4


async def test_a_select_past_the_budget_finishes_on_the_thread(
    db: Database, hops: list[Any]
) -> None:
    await _warm(db)
    hops.clear()
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0)

    ticker = asyncio.create_task(tick())
    try:
        async with db.read() as session:
            counted = await session.scalar(text(COUNT_TO_A_MILLION))
    finally:
        ticker.cancel()
    assert counted == 1_000_000
    assert len(hops) == 1  # interrupted inline, then run whole on the thread
    assert ticks > 1  # the event loop ran other work while the thread counted
    async with db.read() as session:  # the connection runs SELECTs inline again
        assert await session.scalar(select(1)) == 1
    assert len(hops) == 1


@pytest.mark.parametrize(
    "code", [sqlite3.SQLITE_BUSY, sqlite3.SQLITE_BUSY_RECOVERY, sqlite3.SQLITE_LOCKED]
)
async def test_a_read_refused_for_a_lock_runs_again_on_the_thread_with_the_wait(
    db: Database, hops: list[Any], monkeypatch: pytest.MonkeyPatch, code: int
) -> None:
    """SQLite answers SQLITE_BUSY at once to an inline read (busy timeout 0) when another
    connection holds a lock readers must wait for (WAL recovery, exclusive locking mode);
    the read then runs on the thread, where it may wait the full busy timeout."""
    async with db.write() as session:
        await session.execute(insert(ITEMS).values(name="kept"))
    await _warm(db)
    hops.clear()

    def refused(connection: sqlite3.Connection, sql: str, parameters: Any) -> Any:
        assert connection.execute("PRAGMA busy_timeout").fetchone() == (0,)
        error = sqlite3.OperationalError("database is locked")
        error.sqlite_errorcode = code
        raise error

    waits: list[int] = []
    original_run = sqlite_driver._run

    def run(connection: sqlite3.Connection, sql: str, parameters: Any, many: bool) -> Any:
        waits.append(connection.execute("PRAGMA busy_timeout").fetchone()[0])
        return original_run(connection, sql, parameters, many)

    monkeypatch.setattr(sqlite_driver, "_run_inline", refused)
    monkeypatch.setattr(sqlite_driver, "_run", run)
    async with db.read() as session:
        assert await session.scalar(select(ITEMS.c.name)) == "kept"
    assert len(hops) == 1 and waits == [sqlite_driver.WAITING_BUSY_TIMEOUT_MS]
    monkeypatch.undo()
    async with db.read() as session:  # and the connection is back at a zero wait
        raw = await session.connection()
        driver = (await raw.get_raw_connection()).driver_connection
        assert isinstance(driver, OneHopConnection)
        assert driver.sqlite3_connection().execute("PRAGMA busy_timeout").fetchone() == (0,)


async def test_select_errors_are_raised_as_before(db: Database, hops: list[Any]) -> None:
    await _warm(db)
    hops.clear()
    with pytest.raises(OperationalError, match="no such table"):
        async with db.read() as session:
            await session.execute(text("SELECT * FROM missing"))
    assert hops == []


async def test_a_write_through_the_read_engine_runs_on_the_thread(
    db: Database, hops: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    inline: list[str] = []
    original = sqlite_driver._run_inline

    def spied(connection: Any, sql: str, parameters: Any) -> Any:
        inline.append(sql)
        return original(connection, sql, parameters)

    monkeypatch.setattr(sqlite_driver, "_run_inline", spied)
    await _warm(db)
    hops.clear()
    inline.clear()
    async with db.read_engine.connect() as conn:
        await conn.execute(insert(ITEMS).values(name="autocommitted"))
        assert await conn.scalar(select(ITEMS.c.name)) == "autocommitted"
    assert len(hops) == 1 and len(inline) == 1 and inline[0].startswith("SELECT")


async def test_writes_keep_rowcount_lastrowid_and_returning(db: Database) -> None:
    async with db.write() as session:
        result: Any = await session.execute(insert(ITEMS).values(name="x"))
        assert result.inserted_primary_key == (1,)
        many: Any = await session.execute(insert(ITEMS), [{"name": "y"}, {"name": "z"}])
        assert many.rowcount == 2
        changed: Any = await session.execute(update(ITEMS).where(ITEMS.c.id > 1).values(name=None))
        assert changed.rowcount == 2
        returned = await session.execute(
            insert(ITEMS).values(name="r").returning(ITEMS.c.id, ITEMS.c.name)
        )
        assert returned.one() == (4, "r")
    async with db.read() as session:
        assert (await session.execute(text("SELECT count(*) FROM items"))).scalar_one() == 4


async def test_errors_and_rollback_are_unchanged(db: Database) -> None:
    async with db.write() as session:
        await session.execute(insert(ITEMS).values(name="dup"))

    async def insert_twice() -> None:
        async with db.write() as session:
            await session.execute(insert(ITEMS).values(name="kept-out"))
            await session.execute(insert(ITEMS).values(name="dup"))

    with pytest.raises(IntegrityError):
        await insert_twice()
    async with db.read() as session:
        names = (await session.scalars(select(ITEMS.c.name))).all()
    assert names == ["dup"]  # the failed transaction rolled back its first insert


async def test_streamed_results_are_served_from_the_fetched_rows(db: Database) -> None:
    async with db.write() as session:
        await session.execute(insert(ITEMS), [{"name": f"n{i}"} for i in range(5)])
    async with db.read_engine.connect() as conn:
        stream = await conn.stream(select(ITEMS.c.name).order_by(ITEMS.c.id))
        first = await stream.fetchone()
        rest = [row async for row in stream]
    assert first is not None and first[0] == "n0"
    assert [row[0] for row in rest] == ["n1", "n2", "n3", "n4"]
