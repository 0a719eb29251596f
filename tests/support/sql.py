"""Counting the SQL a request runs, to prove which grants write nothing and which requests
run no query at all."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from gatehouse.storage.db import Database

WRITE_VERBS = ("INSERT", "UPDATE", "DELETE")


@contextmanager
def _statements(
    db: Database, keep: Callable[[str], bool], *, reads_only: bool = False
) -> Iterator[list[str]]:
    """The statements ``keep`` accepts, run on the read and write engines meanwhile (on
    PostgreSQL they are one engine, listened to once); ``reads_only``: the read engine's."""
    seen: list[str] = []

    def _record(
        _conn: Any, _cursor: Any, statement: str, _params: Any, _context: Any, _many: bool
    ) -> None:
        if keep(statement):
            seen.append(statement)

    watched = (db.read_engine,) if reads_only else (db.read_engine, db.write_engine)
    engines = {id(e): e.sync_engine for e in watched}.values()
    for engine in engines:
        event.listen(engine, "before_cursor_execute", _record)
    try:
        yield seen
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", _record)


def written_statements(db: Database) -> Any:
    """The INSERT/UPDATE/DELETE statements run meanwhile."""
    return _statements(db, lambda statement: statement.lstrip().upper().startswith(WRITE_VERBS))


def all_statements(db: Database) -> Any:
    """Every statement run meanwhile."""
    return _statements(db, lambda _statement: True)


def read_statements(db: Database) -> Any:
    """Every statement run on the read engine meanwhile (what a read request costs; background
    flushes of the audit trail and usage write through the other engine on SQLite)."""
    return _statements(db, lambda _statement: True, reads_only=True)
