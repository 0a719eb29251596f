"""Which errors mean "the database cannot be reached now" (503), asyncpg's included once a
PostgreSQL engine has loaded it."""

from __future__ import annotations

import sqlite3

import asyncpg
import pytest
from sqlalchemy import exc as sa_exc

from gatehouse.storage.availability import is_unavailable


def _wrapped(inner: BaseException) -> BaseException:
    """As SQLAlchemy raises it: a DBAPIError whose ``orig`` is the driver's error."""
    return sa_exc.OperationalError("SELECT 1", {}, inner)


@pytest.mark.parametrize(
    "error",
    [
        ConnectionRefusedError(),
        TimeoutError(),
        sqlite3.OperationalError("database is locked"),
        sqlite3.OperationalError("unable to open database file"),
        asyncpg.CannotConnectNowError("the database system is starting up"),
        asyncpg.TooManyConnectionsError("sorry, too many clients already"),
        asyncpg.InterfaceError("connection is closed"),
        sa_exc.TimeoutError("QueuePool limit reached"),
    ],
)
def test_unreachable(error: BaseException) -> None:
    assert is_unavailable(error)
    assert is_unavailable(_wrapped(error))


@pytest.mark.parametrize(
    "error",
    [
        ValueError("bad"),
        sqlite3.OperationalError("no such table: users"),
        sqlite3.IntegrityError("UNIQUE constraint failed"),
        asyncpg.UniqueViolationError("duplicate key"),
    ],
)
def test_not_about_reachability(error: BaseException) -> None:
    assert not is_unavailable(error)
    assert not is_unavailable(_wrapped(error))


def test_a_cause_chain_is_followed() -> None:
    outer = RuntimeError("while flushing")
    outer.__cause__ = ConnectionResetError()
    assert is_unavailable(outer)
