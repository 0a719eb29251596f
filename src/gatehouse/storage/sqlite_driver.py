"""aiosqlite connections whose statements cost one thread hand-off each (issue 12).

aiosqlite runs every call on the connection's own thread and waits for it: SQLAlchemy's
adapter makes four such calls per statement (create the cursor, execute, fetch every row,
close the cursor). Each is a queue put, a thread wake-up, a GIL hand-over and a loop
wake-up; in the profiles of the read routes they were a quarter of the event loop's time.
``OneHopConnection.cursor()`` returns a cursor that does all four inside one call: the
sqlite3 cursor is made, run, drained and closed on the connection's thread, and what
SQLAlchemy reads afterwards (the rows, ``description``, ``rowcount``, ``lastrowid``) is
kept. Every result SQLAlchemy's adapter reads was already fetched whole (it buffers
``fetchall()`` unless streaming), so nothing else changes: same SQL, same transactions,
same errors (raised by the one call).

A read engine's connections go one step further (``run_selects_inline``): a SELECT runs on
the event loop's own thread, no hand-off at all. A hand-off costs two context switches and
two wake-ups; on a virtual machine that was about a third of a list request's CPU, in the
kernel (bench/README.md). It is safe because a SELECT on a WAL database never waits for a
writer, and it is bounded on both sides it could stall the loop: the connection's busy
timeout is zero while inline (a read that would wait for a lock is refused at once), and a
progress handler interrupts a SELECT still running after ``INLINE_BUDGET_S``. Either way the
statement runs again on the connection's thread with the full busy timeout, as every statement
did before; a SELECT has no effect to repeat. Writes, PRAGMAs and a write engine's statements
always run on the thread.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from threading import Thread
from typing import Any

import aiosqlite
from aiosqlite.context import contextmanager

_Outcome = tuple[list[Any], Any, int, int | None]

INLINE_BUDGET_S = 0.001
"""How long a SELECT may hold the event loop before it moves to the connection's thread. Page
reads take tens of µs; a read past a millisecond (a count over a large table, an audit
search) is worth the hand-off, and repeating it costs at most this."""
PROGRESS_OPCODES = 1000
"""SQLite virtual-machine steps between two deadline checks (a few µs of work each)."""
INLINE_BUSY_TIMEOUT_MS = 0
WAITING_BUSY_TIMEOUT_MS = 15000
"""The busy timeout of every statement on a connection's thread: how long a writer waits for
the write lock (and a read for a rare lock) before ``database is locked``."""
_MOVE_TO_THREAD = {sqlite3.SQLITE_INTERRUPT, sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}
"""Primary result codes; an error may carry an extended one (``SQLITE_BUSY_RECOVERY`` is
``SQLITE_BUSY | 1 << 8``), whose low byte is its primary code."""


def _run(connection: sqlite3.Connection, sql: str, parameters: Any, many: bool) -> _Outcome:
    """The statement's rows, description, rowcount and lastrowid, all read in this one call."""
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(sql, parameters)
        elif parameters is None:
            cursor.execute(sql)
        else:
            cursor.execute(sql, parameters)
        rows = cursor.fetchall() if cursor.description else []
        return rows, cursor.description, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


def _run_waiting(connection: sqlite3.Connection, sql: str, parameters: Any, many: bool) -> _Outcome:
    """On the thread, for a connection that runs SELECTs inline: with the full busy timeout."""
    connection.execute(f"PRAGMA busy_timeout={WAITING_BUSY_TIMEOUT_MS}")
    try:
        return _run(connection, sql, parameters, many)
    finally:
        connection.execute(f"PRAGMA busy_timeout={INLINE_BUSY_TIMEOUT_MS}")


def _run_inline(connection: sqlite3.Connection, sql: str, parameters: Any) -> _Outcome:
    """On the event loop's thread; ``sqlite3.OperationalError`` (interrupted) past the budget."""
    deadline = time.perf_counter() + INLINE_BUDGET_S
    over_budget: Callable[[], bool] = lambda: time.perf_counter() > deadline  # noqa: E731
    connection.set_progress_handler(over_budget, PROGRESS_OPCODES)
    try:
        return _run(connection, sql, parameters, False)
    finally:
        connection.set_progress_handler(None, 0)


def _is_select(sql: str) -> bool:
    return sql[:6].upper() == "SELECT"


class OneHopCursor:
    """The aiosqlite cursor interface SQLAlchemy's adapter uses, one hop per statement."""

    def __init__(self, connection: OneHopConnection) -> None:
        self._connection = connection
        self._rows: list[Any] = []
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None
        self.arraysize = 1

    async def _statement(self, sql: str, parameters: Any, many: bool) -> OneHopCursor:
        connection = self._connection
        outcome: _Outcome | None = None
        if connection.inline and not many and _is_select(sql):
            try:
                outcome = _run_inline(connection.sqlite3_connection(), sql, parameters)
            except sqlite3.OperationalError as error:
                if ((error.sqlite_errorcode or 0) & 0xFF) not in _MOVE_TO_THREAD:
                    raise
        if outcome is None:
            runner = _run_waiting if connection.inline else _run
            run = partial(runner, connection.sqlite3_connection(), sql, parameters, many)
            outcome = await connection._execute(run)  # type: ignore[no-untyped-call]
        self._rows, self.description, self.rowcount, self.lastrowid = outcome
        return self

    async def execute(self, sql: str, parameters: Any = None) -> OneHopCursor:
        return await self._statement(sql, parameters, False)

    async def executemany(self, sql: str, parameters: Iterable[Any]) -> OneHopCursor:
        return await self._statement(sql, parameters, True)

    async def fetchall(self) -> Sequence[Any]:
        rows, self._rows = self._rows, []
        return rows

    async def fetchmany(self, size: int | None = None) -> Sequence[Any]:
        count = self.arraysize if size is None else size
        rows, self._rows = self._rows[:count], self._rows[count:]
        return rows

    async def fetchone(self) -> Any:
        return self._rows.pop(0) if self._rows else None

    async def close(self) -> None:
        """The sqlite3 cursor was closed by the statement's own call."""
        self._rows = []

    async def __aenter__(self) -> OneHopCursor:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()


class OneHopConnection(aiosqlite.Connection):
    """An aiosqlite connection handing out ``OneHopCursor``s."""

    inline = False
    """Whether its SELECTs run on the event loop's thread (``run_selects_inline``)."""

    @contextmanager
    async def cursor(self) -> OneHopCursor:  # type: ignore[override]
        return OneHopCursor(self)

    def sqlite3_connection(self) -> sqlite3.Connection:
        """The wrapped connection; only to be used on the connection's own thread."""
        return self._conn


def connect(*args: Any, **kwargs: Any) -> OneHopConnection:
    """What ``aiosqlite.connect`` does, with ``OneHopConnection`` (SQLAlchemy's
    ``async_creator_fn``; its own connect marks the worker thread a daemon, so this does).
    The sqlite3 connection may be used from the event loop's thread (``run_selects_inline``);
    never from two threads at once, since every call is awaited before the next starts."""
    kwargs["check_same_thread"] = False
    connection = OneHopConnection(partial(sqlite3.connect, *args, **kwargs), 64)
    thread = getattr(connection, "_thread", None)
    if isinstance(thread, Thread):
        thread.daemon = True
    return connection


def run_selects_inline(connection: OneHopConnection) -> None:
    """From now on, the connection's SELECTs run on the event loop's thread (module docstring).
    Called on a read engine's new connection once its PRAGMAs have run on the thread."""
    connection.sqlite3_connection().execute(f"PRAGMA busy_timeout={INLINE_BUSY_TIMEOUT_MS}")
    connection.inline = True
