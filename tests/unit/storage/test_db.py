"""``storage.db``: ``loads_json`` (the JSON columns' deserializer) answers exactly as
``json.loads``; the read connections' page cache; how a read session ends."""

from __future__ import annotations

import asyncio
import json
import math
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from gatehouse.storage.db import SQLITE_READ_CACHE_KIB, Database, loads_json

TEXTS = [
    "[]",
    "{}",
    "null",
    " []",
    "[] ",
    "\n{}\n",
    '[1, 2.5, "x", true, null]',
    '{"a": {"b": [1e5, -0.0, "\\u00e9"]}}',
    '"s"',
    "-1",
    "NaN",
    "Infinity",
]
BROKEN = ["", "nan", "[1,", "{}x", "[] []", '{"a" 1}']


@pytest.mark.parametrize("text", TEXTS)
def test_values_are_json_loads_values(text: str) -> None:
    expected, found = json.loads(text), loads_json(text)
    if isinstance(expected, float) and math.isnan(expected):
        assert math.isnan(found)
    else:
        assert found == expected and type(found) is type(expected)


@pytest.mark.parametrize("text", BROKEN)
def test_errors_are_json_loads_errors(text: str) -> None:
    with pytest.raises(json.JSONDecodeError) as expected:
        json.loads(text)
    with pytest.raises(json.JSONDecodeError) as found:
        loads_json(text)
    assert (found.value.msg, found.value.pos) == (expected.value.msg, expected.value.pos)


def test_values_are_fresh_objects() -> None:
    first, second = loads_json("[]"), loads_json("[]")
    first.append(1)
    assert second == []


def test_the_engines_decode_json_columns_with_it(tmp_path: object) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path}/j.db")
    for engine in (db.read_engine, db.write_engine):
        assert engine.dialect._json_deserializer is loads_json


async def test_read_connections_cache_fewer_pages(tmp_path: object) -> None:
    """A worker's read pool grows to one connection per request in flight, each with its own
    page cache: capped, a load of big list pages no longer costs 60 MB a worker (issue 12)."""
    db = Database(f"sqlite+aiosqlite:///{tmp_path}/c.db")
    try:
        async with db.read_engine.connect() as conn:
            assert (
                await conn.execute(text("PRAGMA cache_size"))
            ).scalar() == -SQLITE_READ_CACHE_KIB
        async with db.write_engine.connect() as conn:
            assert (await conn.execute(text("PRAGMA cache_size"))).scalar() == -2000  # default
    finally:
        await db.dispose()


async def test_a_sqlite_read_session_closes_in_place_without_a_commit(
    tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No ``commit()`` and no task of its own for the close (``Database.read``, issue 12): both
    were SQLAlchemy overhead on every read, and the connection still goes back to the pool."""
    db = Database(f"sqlite+aiosqlite:///{tmp_path}/r.db")
    loop = asyncio.get_running_loop()
    create_task = loop.create_task
    tasks: list[object] = []
    commits: list[object] = []

    def counted_task(*args: Any, **kwargs: Any) -> Any:
        tasks.append(args)
        return create_task(*args, **kwargs)

    async def counted_commit(session: AsyncSession) -> None:
        commits.append(session)

    monkeypatch.setattr(loop, "create_task", counted_task)
    monkeypatch.setattr(AsyncSession, "commit", counted_commit)
    try:
        for _ in range(3):
            async with db.read() as session:
                assert (await session.execute(text("SELECT 1"))).scalar() == 1
        assert tasks == [] and commits == []
        assert db.read_engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    finally:
        await db.dispose()


async def test_a_read_session_still_ends_when_its_block_raises(tmp_path: object) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path}/e.db")

    async def failing_read() -> None:
        async with db.read() as session:
            await session.execute(text("SELECT 1"))
            raise RuntimeError("boom")

    try:
        with pytest.raises(RuntimeError):
            await failing_read()
        assert db.read_engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    finally:
        await db.dispose()
