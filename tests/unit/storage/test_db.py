"""``loads_json`` (the JSON columns' deserializer) answers exactly as ``json.loads``."""

from __future__ import annotations

import json
import math

import pytest
from sqlalchemy import text

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
