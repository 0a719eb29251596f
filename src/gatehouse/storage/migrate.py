"""Run Alembic migrations programmatically, on either database.

On PostgreSQL an advisory lock serialises concurrent upgrades (several machines starting at
once); SQLite's write lock does the same there.
"""

from __future__ import annotations

import asyncio
import enum
import fcntl
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect, make_url, text

from gatehouse.storage.db import create_engine, is_sqlite

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
_ADVISORY_LOCK_ID = 0x6761746568  # "gateh"


def alembic_config(
    connection: Connection | None = None, on_applied: Callable[[str], None] | None = None
) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    config.attributes["on_applied"] = on_applied
    return config


async def upgrade(
    url: str, revision: str = "head", on_applied: Callable[[str], None] | None = None
) -> None:
    """Migrate up to ``revision``; ``on_applied`` hears each revision as it is applied (the
    CLI's progress bar), inside the one transaction."""
    await _run(url, lambda conn: command.upgrade(alembic_config(conn, on_applied), revision))


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def pending_revisions(current: str | None, target: str = "head") -> list[str]:
    """The revisions an upgrade from ``current`` to ``target`` applies, oldest first."""
    script = ScriptDirectory.from_config(alembic_config())
    steps = script.iterate_revisions(target, current or "base")
    return [step.revision for step in reversed(list(steps))]


class SchemaState(enum.Enum):
    """What an operator command finds at the database URL, before it touches anything."""

    READY = "ready"
    MISSING = "missing"  # no SQLite file / no such PostgreSQL database
    UNREACHABLE = "unreachable"  # the server did not answer or refused the connection
    EMPTY = "empty"  # no tables at all
    UNMIGRATED = "unmigrated"  # tables, but behind the code's migrations (or not Gatehouse's)
    NEWER = "newer"  # migrated by a newer Gatehouse than this one


def safe_url(url: str) -> str:
    """The URL as an operator may see it in a message: the password masked."""
    try:
        shown = make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL has no password we could find either
        return url
    return shown.replace("+aiosqlite", "").replace("+asyncpg", "")


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (``None`` for in-memory databases and other backends)."""
    if not is_sqlite(url):
        return None
    database = make_url(url).database
    return None if not database or database == ":memory:" else Path(database)


async def schema_state(url: str) -> tuple[SchemaState, str | None]:
    """Inspect without creating: a missing SQLite file is reported, never made (aiosqlite
    would create it on connect). Returns the state and the database's current revision."""
    path = sqlite_file(url)
    if path is not None and not path.is_file():
        return SchemaState.MISSING, None
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            current, tables = await conn.run_sync(_revision_and_tables)
    except Exception as exc:  # driver errors differ by backend; all mean "cannot use it"
        missing = "does not exist" in str(exc) or type(exc).__name__ == "InvalidCatalogNameError"
        return (SchemaState.MISSING if missing else SchemaState.UNREACHABLE), None
    finally:
        await engine.dispose()
    if current is None:
        return (SchemaState.UNMIGRATED if tables else SchemaState.EMPTY), None
    known = {rev.revision for rev in ScriptDirectory.from_config(alembic_config()).walk_revisions()}
    if current not in known:
        return SchemaState.NEWER, current
    return (SchemaState.READY if current == head_revision() else SchemaState.UNMIGRATED), current


def _revision_and_tables(conn: Connection) -> tuple[str | None, bool]:
    current: Any = MigrationContext.configure(conn).get_current_revision()
    return current, bool(inspect(conn).get_table_names())


async def downgrade(url: str, revision: str) -> None:
    await _run(url, lambda conn: command.downgrade(alembic_config(conn), revision))


async def _run(url: str, action: object) -> None:
    async with _sqlite_migration_lock(url):
        await _run_locked(url, action)


@asynccontextmanager
async def _sqlite_migration_lock(url: str) -> AsyncIterator[None]:
    """On a SQLite file, one process migrates at a time: an exclusive ``flock`` on a file
    beside the database (never the database itself, whose POSIX locks are SQLite's). Alembic
    runs SQLite's DDL outside its transaction, so two nodes starting together both applied
    the same revision without it ("duplicate column name"). PostgreSQL has its advisory lock."""
    database = make_url(url).database if is_sqlite(url) else None
    if not database or database == ":memory:" or database.startswith("file:"):
        yield
        return
    handle = await asyncio.to_thread(Path(f"{database}.migrate-lock").open, "a")
    with handle:
        await asyncio.to_thread(fcntl.flock, handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


async def _run_locked(url: str, action: object) -> None:
    engine = create_engine(url, immediate=True)  # on SQLite: one BEGIN IMMEDIATE transaction
    try:
        async with engine.connect() as conn:
            if not is_sqlite(url):
                await conn.execute(text(f"SELECT pg_advisory_lock({_ADVISORY_LOCK_ID})"))
            try:
                await conn.run_sync(action)  # type: ignore[arg-type]
                await conn.commit()
            finally:
                if not is_sqlite(url):
                    await conn.execute(text(f"SELECT pg_advisory_unlock({_ADVISORY_LOCK_ID})"))
                    await conn.commit()
    finally:
        await engine.dispose()
