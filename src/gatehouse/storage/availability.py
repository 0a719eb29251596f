"""When the database cannot be reached: recognising it, and reporting it once per outage.

An unreachable database is not a bug in a request: it is answered 503 with ``Retry-After``
(``gatehouse.http.outage``), logged as one line when the outage starts and one when it ends
(not a traceback per request), and watched by a background probe that notices the database's
return even when no request arrives. Connections broken by a restart are thrown away rather
than returned to the pool (``mark_disconnects``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import sys
import time
from typing import Any

from sqlalchemy import event, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

log = logging.getLogger("gatehouse.database")

PROBE_SECONDS = 1.0
PROBE_TIMEOUT_SECONDS = 3.0

_CONNECTION_ERRORS: tuple[type[BaseException], ...] = (
    OSError,  # refused, reset, unreachable; TimeoutError too
    sa_exc.TimeoutError,  # pool exhausted while connections hang
)
_ASYNCPG_ERRORS = (
    "PostgresConnectionError",  # connection does not exist, failure, rejection
    "InterfaceError",  # "connection is closed", "another operation is in progress"
    "CannotConnectNowError",  # starting up / shutting down
    "AdminShutdownError",
    "CrashShutdownError",
    "TooManyConnectionsError",
)


def loaded_asyncpg_errors(*names: str) -> tuple[type[Exception], ...]:
    """asyncpg's exception classes ``names``, once asyncpg is loaded, else none. Only a
    PostgreSQL engine loads it, and only its errors can be asyncpg's: an SQLite worker never
    imports it (2.8 MB of RSS, issue 12)."""
    asyncpg = sys.modules.get("asyncpg")
    return tuple(getattr(asyncpg, name) for name in names) if asyncpg is not None else ()


_SQLITE_UNAVAILABLE = ("database is locked", "unable to open database file", "disk i/o error")


def is_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` (or what it wraps) says the database cannot be reached or used now."""
    connection_errors = _CONNECTION_ERRORS + loaded_asyncpg_errors(*_ASYNCPG_ERRORS)
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, connection_errors):
            return True
        if isinstance(current, sa_exc.DBAPIError) and current.connection_invalidated:
            return True
        if isinstance(current, sqlite3.OperationalError):
            return str(current).lower().startswith(_SQLITE_UNAVAILABLE)
        orig = getattr(current, "orig", None)
        current = orig if isinstance(orig, BaseException) else current.__cause__
    return False


def summary(exc: BaseException) -> str:
    """One short line naming the innermost cause (no SQL, no parameters, no traceback)."""
    inner: BaseException = exc
    while True:
        nxt = getattr(inner, "orig", None) or inner.__cause__
        if not isinstance(nxt, BaseException) or nxt is inner:
            break
        inner = nxt
    return f"{type(inner).__name__}: {str(inner).splitlines()[0][:200] if str(inner) else ''}"


def mark_disconnects(engine: AsyncEngine) -> None:
    """Have SQLAlchemy invalidate a connection that failed with a connection-level error
    (a PostgreSQL restart leaves pooled connections half-dead: asyncpg then reports "another
    operation is in progress" or "connection is closed"), so the pool never hands it out
    again. ``pool_pre_ping`` catches the rest before use."""

    @event.listens_for(engine.sync_engine, "handle_error")
    def _on_error(context: Any) -> None:
        if not context.is_disconnect and is_unavailable(context.original_exception):
            context.is_disconnect = True


class DatabaseOutage:
    """This process's view of the database's reachability, logged once per burst."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self.down_since: float | None = None
        self.failures = 0
        self._probe: asyncio.Task[None] | None = None

    @property
    def down(self) -> bool:
        return self.down_since is not None

    def report(self, exc: BaseException) -> None:
        """Count one failure; the first of a burst logs one line and starts the probe."""
        self.failures += 1
        if self.down_since is not None:
            return
        self.down_since = time.monotonic()
        log.warning("database unreachable (%s): answering 503 until it returns", summary(exc))
        with contextlib.suppress(RuntimeError):  # no running loop: nothing to probe with
            self._probe = asyncio.get_running_loop().create_task(self._watch())

    async def ping(self) -> bool:
        """One ``SELECT 1`` within ``PROBE_TIMEOUT_SECONDS``."""
        try:
            async with asyncio.timeout(PROBE_TIMEOUT_SECONDS), self._engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception as exc:
            if not is_unavailable(exc) and not isinstance(exc, TimeoutError):
                raise
            return False
        return True

    async def _watch(self) -> None:
        while True:
            if await self.ping():
                self.recovered()
                return
            await asyncio.sleep(PROBE_SECONDS)

    def recovered(self) -> None:
        if self.down_since is None:
            return
        seconds = time.monotonic() - self.down_since
        log.warning(
            "database reachable again after %.1f s (%d failed operation(s) meanwhile)",
            seconds,
            self.failures,
        )
        self.down_since, self.failures = None, 0

    async def stop(self) -> None:
        if self._probe is not None:
            self._probe.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._probe


async def round_trip(session: AsyncSession) -> None:
    """One ``SELECT 1`` in ``session`` (``/gatehouse/health``); raises what the database
    raises, so an outage answers 503 through the outage handlers."""
    await session.execute(text("SELECT 1"))
