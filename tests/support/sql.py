"""Counting the SQL a request runs, to prove which grants write nothing."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from gatehouse.storage.db import Database

WRITE_VERBS = ("INSERT", "UPDATE", "DELETE")


@contextmanager
def written_statements(db: Database) -> Iterator[list[str]]:
    """The INSERT/UPDATE/DELETE statements run on the read and write engines meanwhile (on
    PostgreSQL they are one engine, listened to once)."""
    seen: list[str] = []

    def _record(
        _conn: Any, _cursor: Any, statement: str, _params: Any, _context: Any, _many: bool
    ) -> None:
        if statement.lstrip().upper().startswith(WRITE_VERBS):
            seen.append(statement)

    engines = {id(e): e.sync_engine for e in (db.read_engine, db.write_engine)}.values()
    for engine in engines:
        event.listen(engine, "before_cursor_execute", _record)
    try:
        yield seen
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", _record)


@contextmanager
def all_statements(db: Database) -> Iterator[list[str]]:
    """Every statement run on the read and write engines meanwhile."""
    seen: list[str] = []

    def _record(
        _conn: Any, _cursor: Any, statement: str, _params: Any, _context: Any, _many: bool
    ) -> None:
        seen.append(statement)

    engines = {id(e): e.sync_engine for e in (db.read_engine, db.write_engine)}.values()
    for engine in engines:
        event.listen(engine, "before_cursor_execute", _record)
    try:
        yield seen
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", _record)
