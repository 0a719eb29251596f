"""``gatehouse.storage.listing`` against real databases: SQLite and PostgreSQL.

Every test runs on both backends (the ``db`` fixture is parametrized). PostgreSQL is skipped
only when unreachable outside CI; in CI (``CI=true``) an unreachable server fails the run.
"""

from __future__ import annotations

import contextlib
import os
import random
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    func,
    select,
    text,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine

from gatehouse.domain.errors import ListQueryError
from gatehouse.domain.listing import FieldType, ListField, ListSpec, parse_list_query
from gatehouse.storage.listing import ColumnMap, fetch_page

PG_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"

SPEC = ListSpec(
    object_type="Thing",
    fields=(
        ListField("ID", searchable=True, sortable=True),
        ListField("Name", searchable=True, sortable=True),
        ListField("Age", FieldType.INTEGER, sortable=True),
        ListField("Active", FieldType.BOOLEAN, sortable=True),
        ListField("Created", FieldType.DATETIME, sortable=True),
    ),
    xp=True,
)


def _utc(year: int, month: int, day: int, hour: int = 0) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


ROWS: list[dict[str, Any]] = [
    {
        "id": "a1",
        "name": "Alice Smith",
        "age": 30,
        "active": True,
        "created": _utc(2024, 1, 1),
        "xp": {
            "color": "red",
            "n": 5,
            "flag": True,
            "nested": {"k": "deep"},
            "sp ace": "yes",
            "é": "accent",
        },
    },
    {
        "id": "b2",
        "name": "Bob Jones",
        "age": 25,
        "active": False,
        "created": _utc(2024, 2, 1, 12),
        "xp": {"color": "Blue", "n": "abc", "flag": False, "nested": {"k": 7}},
    },
    {"id": "c3", "name": "carol smith", "age": None, "active": None, "created": None, "xp": None},
    {
        "id": "d4",
        "name": "Dan_%\\'\"",
        "age": 40,
        "active": True,
        "created": _utc(2024, 3, 1),
        "xp": {"n": 10.5, "color": "o'range%_\\"},
    },
    {
        "id": "e5",
        "name": "",
        "age": 18,
        "active": False,
        "created": _utc(2024, 1, 1, 4),
        "xp": {"color": None, "n": 3, "nested": "flat"},
    },
    {
        "id": "f6",
        "name": None,
        "age": 30,
        "active": True,
        "created": _utc(2023, 6, 15),
        "xp": {"n": -2, "list": [1, 2]},
    },
    {
        "id": "g7",
        "name": "DanX",
        "age": 50,
        "active": False,
        "created": _utc(2025, 1, 1),
        "xp": {"n": "12", "color": "RED"},
    },
]
ALL_IDS = [row["id"] for row in ROWS]


@dataclass(frozen=True)
class Db:
    engine: AsyncEngine
    table: Table
    cols: ColumnMap


def _make_table(schema: str | None) -> Table:
    return Table(
        "listing_things",
        MetaData(schema=schema),
        Column("id", String(100), primary_key=True),
        Column("name", String(200)),
        Column("age", Integer),
        Column("active", Boolean),
        Column("created", DateTime(timezone=True)),
        Column("xp", JSON(none_as_null=True)),
    )


async def _postgres_engine() -> AsyncEngine:
    """An engine on the test PostgreSQL server, or skip (fail in CI) if it is unreachable."""
    engine = create_async_engine(PG_URL, connect_args={"timeout": 5})
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except (OSError, DBAPIError) as exc:
        await engine.dispose()
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL unreachable in CI: {exc}")
        pytest.skip(f"PostgreSQL unreachable: {exc}")
    return engine


async def _setup(engine: AsyncEngine, table: Table) -> None:
    async with engine.begin() as conn:
        if table.schema is not None:
            await conn.execute(text(f'CREATE SCHEMA "{table.schema}"'))
        await conn.run_sync(table.metadata.create_all)
        await conn.execute(table.insert(), ROWS)


@pytest_asyncio.fixture(scope="module", params=["sqlite", "postgresql"])
async def db(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Db]:
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("listing") / "listing.db"
        engine, schema = create_async_engine(f"sqlite+aiosqlite:///{path}"), None
    else:
        engine, schema = await _postgres_engine(), f"gh_listing_{uuid.uuid4().hex[:12]}"
    table = _make_table(schema)
    try:
        await _setup(engine, table)
        yield Db(engine, table, _column_map(table))
    finally:
        if schema is not None:
            async with engine.begin() as conn:
                await conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        await engine.dispose()


def _column_map(table: Table) -> ColumnMap:
    c = table.c
    columns = {"ID": c.id, "Name": c.name, "Age": c.age, "Active": c.active, "Created": c.created}
    return ColumnMap(columns=columns, xp=c.xp)


async def page(db: Db, params: Sequence[tuple[str, str]]) -> tuple[list[str], int]:
    """IDs of the requested page, in order, and the total count."""
    query = parse_list_query(params, SPEC)
    async with AsyncSession(db.engine) as session:
        rows, total = await fetch_page(session, select(db.table.c.id), query, db.cols)
    return [row.id for row in rows], total


async def ids(db: Db, *params: tuple[str, str]) -> list[str]:
    """IDs matching ``params`` (default sort is by ID, so the order is deterministic)."""
    found, total = await page(db, params)
    assert total == len(found)
    return found


def others(*excluded: str) -> list[str]:
    return [i for i in ALL_IDS if i not in excluded]


# --- strings ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("alice smith", ["a1"]),
        ("ALICE SMITH", ["a1"]),
        ("Alice", []),
        ("*smith", ["a1", "c3"]),
        ("Al*", ["a1"]),
        ("*ob J*", ["b2"]),
        ("D*X", ["g7"]),
        ("*", ["a1", "b2", "c3", "d4", "g7"]),
        ("!*", ["e5", "f6"]),
        ("!Alice Smith", others("a1")),
        ("!*smith", others("a1", "c3")),
        ("Al*|Bob*", ["a1", "b2"]),
        ("!Al*|Bob*", others("a1")),
    ],
)
async def test_string_filters(db: Db, value: str, expected: list[str]) -> None:
    assert await ids(db, ("Name", value)) == expected


async def test_last_id_paging(db: Db) -> None:
    assert await ids(db, ("sortBy", "ID"), ("ID", ">c3")) == ["d4", "e5", "f6", "g7"]
    assert await ids(db, ("ID", ">=c3"), ("ID", "<=e5")) == ["c3", "d4", "e5"]


# --- integers, booleans, datetimes --------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("30", ["a1", "f6"]),
        (">30", ["d4", "g7"]),
        (">=30", ["a1", "d4", "f6", "g7"]),
        ("<25", ["e5"]),
        ("<=25", ["b2", "e5"]),
        ("!30", others("a1", "f6")),
        ("!>30", others("d4", "g7")),
        ("18|50", ["e5", "g7"]),
        ("*", others("c3")),
        ("!*", ["c3"]),
    ],
)
async def test_integer_filters(db: Db, value: str, expected: list[str]) -> None:
    assert await ids(db, ("Age", value)) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("true", ["a1", "d4", "f6"]),
        ("FALSE", ["b2", "e5", "g7"]),
        ("!true", ["b2", "c3", "e5", "g7"]),
        ("!*", ["c3"]),
    ],
)
async def test_boolean_filters(db: Db, value: str, expected: list[str]) -> None:
    assert await ids(db, ("Active", value)) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-01-01T00:00:00Z", ["a1"]),
        ("2024-01-01", ["a1"]),
        (">2024-01-01", ["b2", "d4", "e5", "g7"]),
        ("<2024-01-01T00:00:00+01:00", ["f6"]),
        ("2023-12-31T23:00:00-05:00", ["e5"]),
        (">=2024-02-01T12:00:00Z|<2024-01-01", ["b2", "d4", "f6", "g7"]),
        ("!2024-01-01", others("a1")),
        ("!*", ["c3"]),
    ],
)
async def test_datetime_filters(db: Db, value: str, expected: list[str]) -> None:
    assert await ids(db, ("Created", value)) == expected


async def test_repeated_parameter_is_and(db: Db) -> None:
    assert await ids(db, ("Age", ">20"), ("Age", "<40")) == ["a1", "b2", "f6"]
    assert await ids(db, ("Name", "*a*"), ("Name", "*i*")) == ["a1", "c3"]


async def test_filters_on_different_fields_are_and(db: Db) -> None:
    assert await ids(db, ("Active", "true"), ("Age", "30")) == ["a1", "f6"]


# --- xp -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("xp.color", "red", ["a1", "g7"]),
        ("xp.color", "BLUE", ["b2"]),
        ("xp.color", "*r*", ["a1", "d4", "g7"]),
        ("xp.color", "*", ["a1", "b2", "d4", "g7"]),
        ("xp.color", "!*", ["c3", "e5", "f6"]),
        ("xp.color", "!red", others("a1", "g7")),
        ("xp.color", ">q", ["a1"]),
        ("xp.n", "5", ["a1"]),
        ("xp.n", "12", ["g7"]),
        ("xp.n", "10.5", ["d4"]),
        ("xp.n", ">3", ["a1", "d4"]),
        ("xp.n", ">=3", ["a1", "d4", "e5"]),
        ("xp.n", "<0", ["f6"]),
        ("xp.n", "<=-2", ["f6"]),
        ("xp.n", ">10.4", ["d4"]),
        ("xp.n", ">1e1", ["d4"]),
        ("xp.n", "!>3", ["b2", "c3", "e5", "f6", "g7"]),
        ("xp.n", ">=abc", ["b2"]),
        ("xp.flag", "true", ["a1"]),
        ("xp.flag", "FALSE", ["b2"]),
        ("xp.flag", "!true", others("a1")),
        ("xp.nested.k", "deep", ["a1"]),
        ("xp.nested.k", "7", ["b2"]),
        ("xp.nested.k", ">5", ["b2"]),
        ("xp.nested.k", "*", ["a1", "b2"]),
        ("xp.nested", "flat", ["e5"]),
        ("xp.list", "*", ["f6"]),
        ("xp.missing", "*", []),
        ("xp.missing", "!*", ALL_IDS),
        ("xp.missing", ">1", []),
        ("xp.sp ace", "yes", ["a1"]),
        ("xp.é", "accent", ["a1"]),
    ],
)
async def test_xp_filters(db: Db, key: str, value: str, expected: list[str]) -> None:
    assert await ids(db, (key, value)) == expected


async def test_xp_numeric_comparison_skips_non_numbers(db: Db) -> None:
    """``"abc"`` and ``"12"`` (strings) never reach a numeric cast, so there is no error."""
    assert await ids(db, ("xp.n", ">3"), ("xp.n", "<100")) == ["a1", "d4"]


async def test_xp_paths_of_the_same_shape_do_not_share_cached_values(db: Db) -> None:
    assert await ids(db, ("xp.color", "red")) == ["a1", "g7"]
    assert await ids(db, ("xp.flag", "true")) == ["a1"]
    assert await ids(db, ("xp.color", "red")) == ["a1", "g7"]


@pytest.mark.parametrize(
    "key",
    ['xp.a"b', "xp.a\\b", "xp.') OR 1=1 --", 'xp.$."x"', "xp.[0]", "xp.a]b[", "xp.%_*"],
)
async def test_hostile_xp_keys_are_literal(db: Db, key: str) -> None:
    assert await ids(db, (key, "x")) == []
    assert await ids(db, (key, "!*")) == ALL_IDS


# --- hostile values -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("Name", "Dan_%\\'\"", ["d4"]),
        ("Name", "Dan_*", ["d4"]),
        ("Name", "*%*", ["d4"]),
        ("Name", "*_*", ["d4"]),
        ("Name", "*\\*", ["d4"]),
        ("Name", "*'*", ["d4"]),
        ("Name", '*"', ["d4"]),
        ("Name", "' OR 1=1 --", []),
        ("Name", "%", []),
        ("Name", "_", []),
        ("ID", "' OR '1'='1", []),
        ("xp.color", "o'range%_\\", ["d4"]),
        ("xp.color", "*%_\\", ["d4"]),
        ("xp.color", "*\\", ["d4"]),
        ("xp.color", "_ed", []),
        ("xp.color", "%", []),
    ],
)
async def test_special_characters_are_literal(
    db: Db, key: str, value: str, expected: list[str]
) -> None:
    assert await ids(db, (key, value)) == expected


# --- search -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ([("search", "smith")], ["a1", "c3"]),
        ([("search", "SMITH alice")], ["a1"]),
        ([("search", "  smith   carol ")], ["c3"]),
        ([("search", "nomatch")], []),
        ([("search", "%")], ["d4"]),
        ([("search", "_")], ["d4"]),
        ([("search", "\\")], ["d4"]),
        ([("search", "'")], ["d4"]),
        ([("search", "a1")], ["a1"]),
        ([("search", "a1 alice")], ["a1"]),
        ([("search", "a1"), ("searchOn", "Name")], []),
        ([("search", "smith"), ("searchOn", "ID")], []),
        ([("search", "blue"), ("searchOn", "xp.color")], ["b2"]),
        ([("search", "ee"), ("searchOn", "xp.nested.k,Name")], ["a1"]),
        ([("search", "D*X")], ["g7"]),
        ([("search", "smith"), ("Age", "30")], ["a1"]),
    ],
)
async def test_search(db: Db, params: list[tuple[str, str]], expected: list[str]) -> None:
    assert await ids(db, *params) == expected


# --- sorting ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sort_by", "expected"),
    [
        ("ID", ALL_IDS),
        ("!ID", ALL_IDS[::-1]),
        ("Name", ["f6", "e5", "a1", "b2", "g7", "d4", "c3"]),
        ("!Name", ["c3", "d4", "g7", "b2", "a1", "e5", "f6"]),
        ("!Age,Name", ["g7", "d4", "f6", "a1", "b2", "e5", "c3"]),
        ("Age,!Name", ["c3", "e5", "b2", "a1", "f6", "d4", "g7"]),
        ("Active", ["c3", "b2", "e5", "g7", "a1", "d4", "f6"]),
        ("!Active", ["a1", "d4", "f6", "b2", "e5", "g7", "c3"]),
        ("Created", ["c3", "f6", "a1", "e5", "b2", "d4", "g7"]),
        ("xp.color", ["c3", "e5", "f6", "b2", "g7", "d4", "a1"]),
        # numbers first, numerically; then the rest by text
        ("!xp.n", ["d4", "a1", "e5", "f6", "b2", "g7", "c3"]),
        ("xp.n", ["f6", "e5", "a1", "d4", "c3", "g7", "b2"]),
        ("xp.nested.k,!ID", ["b2", "g7", "f6", "e5", "d4", "c3", "a1"]),
    ],
)
async def test_sort(db: Db, sort_by: str, expected: list[str]) -> None:
    assert await ids(db, ("sortBy", sort_by)) == expected


# --- paging -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected", "total"),
    [
        ([("pageSize", "3")], ["a1", "b2", "c3"], 7),
        ([("pageSize", "3"), ("page", "2")], ["d4", "e5", "f6"], 7),
        ([("pageSize", "3"), ("page", "3")], ["g7"], 7),
        ([("pageSize", "3"), ("page", "4")], [], 7),
        ([("pageSize", "100"), ("page", "2147483647")], [], 7),
        ([("Age", ">20"), ("pageSize", "2"), ("page", "2")], ["d4", "f6"], 5),
        ([("sortBy", "!Age"), ("pageSize", "2"), ("page", "2")], ["a1", "f6"], 7),
        ([("Name", "nobody"), ("pageSize", "2")], [], 0),
    ],
)
async def test_paging(
    db: Db, params: list[tuple[str, str]], expected: list[str], total: int
) -> None:
    assert await page(db, params) == (expected, total)


async def test_fetch_page_returns_the_rows_the_statement_selects(db: Db) -> None:
    query = parse_list_query([("ID", "a1")], SPEC)
    stmt = select(db.table.c.id, db.table.c.name, db.table.c.age)
    async with AsyncSession(db.engine) as session:
        rows, total = await fetch_page(session, stmt, query, db.cols)
    # The selected columns (then, on PostgreSQL, the total the page carries).
    assert [tuple(row)[:3] for row in rows] == [("a1", "Alice Smith", 30)]
    assert total == 1


async def test_a_full_page_counts_the_total(db: Db) -> None:
    query = parse_list_query([("pageSize", "2"), ("sortBy", "Name")], SPEC)
    async with AsyncSession(db.engine) as session:
        everything = await session.scalar(select(func.count()).select_from(db.table))
        rows, total = await fetch_page(session, select(db.table.c.id), query, db.cols)
    assert len(rows) == 2 and total == everything and total > 2


async def test_a_page_past_the_end_still_knows_the_total(db: Db) -> None:
    """No row carries the total there, so it is counted on its own."""
    query = parse_list_query([("page", "99"), ("pageSize", "2")], SPEC)
    stmt = select(db.table.c.id)
    async with AsyncSession(db.engine) as session:
        everything = await session.scalar(select(func.count()).select_from(db.table))
        rows, total = await fetch_page(session, stmt, query, db.cols)
    assert rows == [] and total == everything and total > 0


# --- robustness ---------------------------------------------------------------------------

_NASTY = "a*|!<>=%_\\'\"\x00.-+e1 ;)(é$[]"


@pytest.mark.parametrize("seed", range(5))
async def test_arbitrary_values_never_break_the_database(db: Db, seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(40):
        value = "".join(rng.choice(_NASTY) for _ in range(rng.randint(1, 12)))
        for key in ("Name", "xp.n", "xp.nested.k", "search"):
            with contextlib.suppress(ListQueryError):
                await page(db, [(key, value), ("sortBy", "!xp.n,Name")])
