"""Engines and transactions for SQLite (embedded default) and PostgreSQL.

Every write is one transaction (``Database.write()``). On SQLite, write transactions start
with ``BEGIN IMMEDIATE`` so two writers never both read and then deadlock on the upgrade to a
write lock; reads use a plain deferred ``BEGIN`` and WAL keeps them from blocking the writer.
``synchronous=FULL`` means an acknowledged write survives a crash.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import MetaData, event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from gatehouse.crypto_at_rest import SecretBox
from gatehouse.storage import sqlite_driver
from gatehouse.storage.availability import DatabaseOutage, mark_disconnects
from gatehouse.storage.cache_keys import CacheKey
from gatehouse.storage.epoch import SqliteEpoch
from gatehouse.storage.invalidation import INVALIDATED, WriteSession, announce
from gatehouse.storage.lockout_signal import CHANGED as LOCKOUT_CHANGED
from gatehouse.storage.lockout_signal import LockoutGeneration
from gatehouse.storage.lockout_signal import announce as announce_lockout

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING_CONVENTION)

SQLITE_BUSY_TIMEOUT_MS = sqlite_driver.WAITING_BUSY_TIMEOUT_MS
SQLITE_READ_POOL_SIZE = 32
"""Kept-open read connections per process on a SQLite file. The default (5) made every
request beyond the fifth concurrent one open and close an overflow connection: a new
aiosqlite thread, a file open and four PRAGMAs (bench/README.md "Profiles"). An idle SQLite
connection costs only a file handle and a parked thread."""
SQLITE_READ_CACHE_KIB = 64
"""Page cache of each read connection (SQLite's default is 2,000 KiB). Under a load of big
list pages a worker's read pool grows to one connection per request in flight (about 20 at
wrk -c32), each caching the same table up to its limit: 60 MB of a worker's RSS at the
default. The small lists read as many pages from the file at 64 KiB as at 512 (217–295
reads in a run of 1,000 requests, set-up included), and the big pages of a loaded
marketplace cost the same CPU at 64 as at 512 KiB; pages past it are read again from the
OS page cache (issue 12, bench/README.md). The write connection keeps the default."""


_scan_json: Callable[[str, int], tuple[Any, int]] = json.JSONDecoder().scan_once  # type: ignore[attr-defined]


def loads_json(text: Any) -> Any:
    """``json.loads`` for JSON columns, without its per-call overhead when it can.

    A page of 20 ApiClients decodes 100 JSON values (xp and four role lists per row, mostly
    ``[]``); ``json.loads`` spends more on its two whitespace regexes than on the scan
    (1.4 µs for ``[]``, against 0.1 µs for the scanner alone). The scanner's value is used
    only when it consumed the whole text; anything else (whitespace around the value, an
    error) goes to ``json.loads``, so results and errors are exactly ``json.loads``'s.
    """
    if isinstance(text, str):
        try:
            value, end = _scan_json(text, 0)
        except StopIteration:
            return json.loads(text)
        if end == len(text):
            return value
    return json.loads(text)


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def create_engine(url: str, *, immediate: bool = False, **kwargs: Any) -> AsyncEngine:
    """An async engine; for SQLite, with pragmas and explicit transaction control.

    SQLite read engines (``immediate=False``) issue no BEGIN at all: every statement is then
    its own snapshot, which saves a thread hop per request (aiosqlite runs each call on its
    own thread) and is all a single-statement read needs; and their SELECTs run on the event
    loop's thread, within a budget (``sqlite_driver.run_selects_inline``). Writes always run
    in one ``BEGIN IMMEDIATE`` transaction, on the connection's thread.
    """
    kwargs.setdefault("json_deserializer", loads_json)
    if not is_sqlite(url):
        pg_engine = create_async_engine(url, pool_pre_ping=True, **kwargs)
        mark_disconnects(pg_engine)  # a restart's broken connections leave the pool
        return pg_engine
    if not immediate:
        kwargs.setdefault("pool_reset_on_return", None)  # no transaction is ever left open
        if not _in_memory(url):  # an in-memory database has a one-connection pool
            kwargs.setdefault("pool_size", SQLITE_READ_POOL_SIZE)
    # One thread hand-off per statement instead of four (storage/sqlite_driver.py).
    connect_args = {"async_creator_fn": sqlite_driver.connect, **kwargs.pop("connect_args", {})}
    engine = create_async_engine(url, connect_args=connect_args, **kwargs)
    event.listen(engine.sync_engine, "connect", _on_sqlite_connect)
    if immediate:

        @event.listens_for(engine.sync_engine, "begin")
        def _on_begin(connection: Any) -> None:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    else:
        event.listen(engine.sync_engine, "connect", _small_page_cache)
        event.listen(engine.sync_engine, "connect", _run_selects_inline)
    _skip_idle_transaction_ends(engine)
    return engine


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Take transaction control away from pysqlite's legacy mode so BEGIN is ours.
    dbapi_connection.isolation_level = None
    _run_pragmas(
        dbapi_connection,
        "journal_mode=WAL",
        "synchronous=FULL",
        "foreign_keys=ON",
        f"busy_timeout={SQLITE_BUSY_TIMEOUT_MS}",
    )


def _small_page_cache(dbapi_connection: Any, _record: Any) -> None:
    _run_pragmas(dbapi_connection, f"cache_size=-{SQLITE_READ_CACHE_KIB}")


def _run_pragmas(dbapi_connection: Any, *pragmas: str) -> None:
    cursor = dbapi_connection.cursor()
    for pragma in pragmas:
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def _run_selects_inline(_dbapi_connection: Any, record: Any) -> None:
    """Registered after ``_on_sqlite_connect``, so the PRAGMAs ran on the thread first."""
    sqlite_driver.run_selects_inline(record.driver_connection)


def _skip_idle_transaction_ends(engine: AsyncEngine) -> None:
    """COMMIT and ROLLBACK run only when SQLite has a transaction open.

    A read engine never issues BEGIN, so the COMMIT that ends every read session (and a
    ROLLBACK) has nothing to end, yet aiosqlite still hands it to the connection's thread and
    waits: a thread hop per request (issue 12). A write engine's pool ends every checkout with
    a ROLLBACK, after the transaction committed: the same hop for nothing. ``in_transaction``
    is SQLite's own flag (``sqlite3_get_autocommit``), read without a hop; when a transaction
    is open (a failed write), it is ended as before.
    """
    dialect = engine.sync_engine.dialect
    commit, rollback = dialect.do_commit, dialect.do_rollback

    def _open(dbapi_connection: Any) -> bool:
        try:
            return bool(dialect.get_driver_connection(dbapi_connection).in_transaction)
        except ValueError:  # aiosqlite: the connection is closed, so nothing is open
            return False

    def do_commit(dbapi_connection: Any) -> None:
        if _open(dbapi_connection):
            commit(dbapi_connection)

    def do_rollback(dbapi_connection: Any) -> None:
        if _open(dbapi_connection):
            rollback(dbapi_connection)

    dialect.do_commit = do_commit  # type: ignore[method-assign]
    dialect.do_rollback = do_rollback  # type: ignore[method-assign]


def _in_memory(url: str) -> bool:
    database = make_url(url).database
    return not database or database == ":memory:" or "mode=memory" in url


class Database:
    """Session factories for read and write transactions over one database URL."""

    def __init__(self, url: str, secret_box: SecretBox | None = None) -> None:
        self.url = url
        self._secret_box = secret_box
        self.dialect = "sqlite" if is_sqlite(url) else "postgresql"
        self.read_engine = create_engine(url)
        self.write_engine = (
            create_engine(url, immediate=True) if is_sqlite(url) else self.read_engine
        )
        self.outage = DatabaseOutage(self.read_engine)
        """Whether the database is reachable, as this process last saw it (503s meanwhile)."""
        info = {"database": self}  # lets storage code reach ``secret_box``
        self._read = async_sessionmaker(self.read_engine, expire_on_commit=False, info=info)
        self._write = async_sessionmaker(
            self.write_engine, expire_on_commit=False, sync_session_class=WriteSession, info=info
        )
        self.announce: Callable[[AsyncSession, set[CacheKey]], Awaitable[None]] | None = (
            announce if self.dialect == "postgresql" else None
        )
        """Tells other processes, inside the write transaction, what it invalidates
        (``pg_notify`` on PostgreSQL; SQLite processes read the epoch instead)."""
        self.commit_hooks: list[Callable[[set[CacheKey]], None]] = []
        """Run after a write transaction that recorded cache invalidations has committed
        (``gatehouse.storage.invalidation``), with the invalidated keys."""
        self.epoch = SqliteEpoch.for_url(url) if self.dialect == "sqlite" else None
        """Shared with every process using this SQLite file; each invalidating commit (server
        or CLI) changes it, and caches compare it before trusting what they hold."""
        if self.epoch is not None:
            epoch = self.epoch
            self.commit_hooks.append(lambda _keys: epoch.bump())
        self.lockout = LockoutGeneration.for_url(url, sqlite=self.dialect == "sqlite")
        """Moves after every committed lockout-counter write, in any process
        (``storage.lockout_signal``); what shows the counter re-reads it when it moved."""

    @property
    def secret_box(self) -> SecretBox:
        """Encrypts secrets at rest; built from the environment on first use unless given
        (the server passes the one its settings describe)."""
        if self._secret_box is None:
            self._secret_box = SecretBox.from_environment(self.url)
        return self._secret_box

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A session for reads: its transaction begins with the first statement and ends when
        the session closes (a rollback; a read has nothing to commit).

        Two costs of SQLAlchemy's usual form (``async with maker() as s, s.begin()``) are left
        out (issue 12, bench/README.md): the ``commit()`` before the close, pure bookkeeping for
        a read; and, on SQLite, the close in a task of its own that ``AsyncSession.__aexit__``
        starts and shields so that a cancellation cannot abandon it halfway. A SQLite read
        session's close never waits (no BEGIN was issued, so there is nothing to roll back,
        and the pool returns the connection without a reset), so nothing can interrupt it.
        On PostgreSQL the close rolls back over the network and keeps the shielded task.
        """
        if self.dialect == "sqlite":
            session = self._read()
            try:
                yield session
            finally:
                await session.close()
        else:
            async with self._read() as session:
                yield session

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        """One transaction: committed when the block ends, rolled back if it raises."""
        async with self._write() as session:
            async with session.begin():
                yield session
                # Reached only when the block succeeded: flush what is pending (so every
                # change has recorded its invalidations), then announce them (and a lockout
                # counter write, ``storage.lockout_signal``) to the other processes inside
                # the transaction: sent exactly when it commits.
                await session.flush()
                if self.announce is not None and session.info.get(INVALIDATED):
                    await self.announce(session, session.info[INVALIDATED])
                if self.dialect == "postgresql" and session.info.get(LOCKOUT_CHANGED):
                    await announce_lockout(session, self.lockout.origin)
            invalidated: set[CacheKey] | None = session.info.pop(INVALIDATED, None)
            lockout_changed = session.info.pop(LOCKOUT_CHANGED, False)
        if lockout_changed:
            self.lockout.bump()
        if invalidated:
            for hook in self.commit_hooks:
                hook(invalidated)

    @staticmethod
    def box_of(session: AsyncSession) -> SecretBox:
        """The ``SecretBox`` of the database a session belongs to."""
        database: Database = session.info["database"]
        return database.secret_box

    async def dispose(self) -> None:
        await self.outage.stop()
        await self.read_engine.dispose()
        if self.write_engine is not self.read_engine:
            await self.write_engine.dispose()
