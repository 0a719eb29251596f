"""SQLite statements cost one aiosqlite thread hand-off each, and a read session none more
(issue 12): the results SQLAlchemy reads are the same as through plain aiosqlite."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select, text, update
from sqlalchemy.exc import IntegrityError

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


async def test_a_read_session_costs_one_hop_per_statement(db: Database, hops: list[Any]) -> None:
    async with db.write() as session:
        await session.execute(insert(ITEMS), [{"name": "a"}, {"name": "b"}])
    async with db.read() as session:  # a warm pooled connection: no connect, no PRAGMAs
        await session.execute(select(1))
    hops.clear()
    async with db.read() as session:
        names = (await session.scalars(select(ITEMS.c.name).order_by(ITEMS.c.name))).all()
        count = await session.scalar(select(ITEMS.c.id).where(ITEMS.c.name == "b"))
    assert names == ["a", "b"] and count == 2
    assert len(hops) == 2  # no cursor, fetch or close calls; no COMMIT with nothing open


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
