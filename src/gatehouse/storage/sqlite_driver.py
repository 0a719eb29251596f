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
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from functools import partial
from threading import Thread
from typing import Any

import aiosqlite
from aiosqlite.context import contextmanager

_Outcome = tuple[list[Any], Any, int, int | None]


def _run(connection: sqlite3.Connection, sql: str, parameters: Any, many: bool) -> _Outcome:
    """On the connection's thread: the statement's rows, description, rowcount, lastrowid."""
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
        def run() -> _Outcome:
            return _run(self._connection.sqlite3_connection(), sql, parameters, many)

        outcome: _Outcome = await self._connection._execute(run)  # type: ignore[no-untyped-call]
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

    @contextmanager
    async def cursor(self) -> OneHopCursor:  # type: ignore[override]
        return OneHopCursor(self)

    def sqlite3_connection(self) -> sqlite3.Connection:
        """The wrapped connection; only to be used on the connection's own thread."""
        return self._conn


def connect(*args: Any, **kwargs: Any) -> OneHopConnection:
    """What ``aiosqlite.connect`` does, with ``OneHopConnection`` (SQLAlchemy's
    ``async_creator_fn``; its own connect marks the worker thread a daemon, so this does)."""
    connection = OneHopConnection(partial(sqlite3.connect, *args, **kwargs), 64)
    thread = getattr(connection, "_thread", None)
    if isinstance(thread, Thread):
        thread.daemon = True
    return connection
