"""Cross-process cache invalidation for what token verification caches.

Every process caches the state of the clients, users and companies its tokens name, so that
verifying a token costs no query. A write that changes such state calls ``invalidate`` inside
its transaction; once it commits, every process drops those entries before its next request:

- this process: ``Database.write`` runs its commit hooks right after the commit;
- other processes on PostgreSQL: ``pg_notify`` inside the same transaction, so the notice is
  sent exactly when (and only if) the change commits, and each process listens on a dedicated
  connection (``PgListener``); while that connection is down the cache is not trusted;
- other processes on one SQLite file: a shared 8-byte epoch in a memory-mapped file next to
  the database (``SqliteEpoch``), rewritten after each such commit and compared (a memory read,
  not a query) at the start of every verification.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Collection, Iterable
from typing import TYPE_CHECKING

from sqlalchemy import event, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import ORMExecuteState, Session

if TYPE_CHECKING:
    import asyncpg

from gatehouse.storage.cache_keys import (
    EVERYTHING,
    IDENTITIES,
    REFRESH_TOKENS,
    ROLES,
    CacheKey,
    client_key,
    company_key,
    user_key,
)
from gatehouse.storage.epoch import SqliteEpoch
from gatehouse.storage.lockout_signal import CHANNEL as LOCKOUT_CHANNEL

# The key constructors are re-exported: writers call ``invalidate(session, client_key(id))``.
__all__ = [
    "EVERYTHING",
    "IDENTITIES",
    "REFRESH_TOKENS",
    "ROLES",
    "CacheKey",
    "SqliteEpoch",
    "client_key",
    "company_key",
    "invalidate",
    "user_key",
]

logger = logging.getLogger(__name__)

CHANNEL = "gatehouse_invalidate"
INVALIDATED = "gatehouse.invalidate"
"""``session.info`` key for the cache keys a write invalidates, announced and applied when it
commits (``Database.write``)."""

NOT_CACHED = "gatehouse_not_cached"
"""Execution option of a write to a watched table that changes only columns no cache holds
(the lockout counters, ``storage.queries.login_failures``): it invalidates nothing."""
_MAX_PAYLOAD = 7000  # PostgreSQL's NOTIFY payload limit is 8000 bytes


async def invalidate(session: AsyncSession, *keys: CacheKey) -> None:
    """Record that this transaction changes what ``keys`` name; takes effect on commit (here
    at once, elsewhere through ``announce``)."""
    if keys:
        _record(session.sync_session, keys)


def _record(session: Session, keys: Collection[CacheKey]) -> None:
    if not keys:
        return
    pending: set[CacheKey] = session.info.setdefault(INVALIDATED, set())
    pending.update(keys)


async def announce(session: AsyncSession, keys: set[CacheKey]) -> None:
    """``Database.announce`` on PostgreSQL: one ``pg_notify`` inside the transaction."""
    payload = encode_payload(keys)
    await session.execute(select(func.pg_notify(CHANNEL, payload)))


WATCHED_TABLES: dict[str, tuple[CacheKey, ...]] = {
    "security_profiles": (ROLES,),
    "security_profile_assignments": (ROLES,),
    "user_groups": (ROLES,),
    "user_group_assignments": (ROLES,),
    "users": (ROLES, IDENTITIES),
    "buyers": (ROLES, IDENTITIES),
    "suppliers": (ROLES, IDENTITIES),
    "marketplaces": (ROLES, IDENTITIES),
}
"""Any write to these tables invalidates the token endpoint's role and identity caches
(``oauth.grant_subjects``). Coarse on purpose: such writes are administrative and rare, and
watching the tables (not each service) means no new write path can forget it."""


CHANGES_WATCHED: dict[str, tuple[CacheKey, ...]] = {
    "refresh_tokens": (REFRESH_TOKENS,),
}
"""An UPDATE or DELETE of these tables (not an INSERT) invalidates what their keys name: a
new refresh token cannot make a cached one stale, and every login inserts one, so inserts stay
free while a revocation or purge, whichever query runs it, empties ``oauth.refresh_records``."""


def changed_keys(table: object, *, inserted: bool) -> tuple[CacheKey, ...]:
    """What a change to ``table`` invalidates (``WATCHED_TABLES``, ``CHANGES_WATCHED``)."""
    if not isinstance(table, str):
        return ()
    keys = WATCHED_TABLES.get(table, ())
    return keys if inserted else keys + CHANGES_WATCHED.get(table, ())


def watch_tables(session_class: type[Session]) -> None:
    """Record ``WATCHED_TABLES`` and ``CHANGES_WATCHED`` invalidations for every change made
    through sessions of ``session_class``: unit-of-work flushes and bulk INSERT/UPDATE/DELETE
    statements alike."""

    @event.listens_for(session_class, "after_flush")
    def _after_flush(session: Session, _context: object) -> None:
        for obj in session.new:
            _record(session, changed_keys(getattr(obj, "__tablename__", None), inserted=True))
        for obj in (*session.dirty, *session.deleted):
            _record(session, changed_keys(getattr(obj, "__tablename__", None), inserted=False))

    @event.listens_for(session_class, "do_orm_execute")
    def _bulk(state: ORMExecuteState) -> None:
        if state.execution_options.get(NOT_CACHED):
            return
        if state.is_insert or state.is_update or state.is_delete:
            table = getattr(getattr(state.statement, "table", None), "name", None)
            _record(state.session, changed_keys(table, inserted=state.is_insert))


class WriteSession(Session):
    """The sync session behind every write transaction (``Database.write``): its changes to
    ``WATCHED_TABLES`` record their invalidations by themselves."""


watch_tables(WriteSession)


def encode_payload(keys: Iterable[CacheKey]) -> str:
    """One key per line; everything at once beyond what a ``NOTIFY`` payload may hold."""
    payload = "\n".join(sorted(key.encode() for key in keys))
    return payload if len(payload) <= _MAX_PAYLOAD else EVERYTHING.encode()


def parse_payload(payload: str) -> set[CacheKey]:
    return {CacheKey.decode(line) for line in payload.split("\n") if line}


class PgListener:
    """LISTENs for invalidations on its own connection and reconnects when it drops.

    ``on_keys`` gets each notice's keys; ``on_reset`` is called whenever notices may have been
    missed (before the first connection and after every reconnect), so the cache starts over.
    ``connected`` tells the cache whether it may trust what it holds. ``on_lockout``, if given,
    gets the payload of each notice on the lockout channel (``storage.lockout_signal``), which
    the same connection LISTENs to.
    """

    RETRY_SECONDS = (0.1, 0.5, 1.0, 2.0, 5.0)
    CONNECT_TIMEOUT_SECONDS = 5.0

    def __init__(
        self,
        url: str,
        on_keys: Callable[[Iterable[CacheKey]], None],
        on_reset: Callable[[], None],
        on_lockout: Callable[[str], None] | None = None,
    ) -> None:
        parsed = make_url(url).set(drivername="postgresql")
        self._dsn = parsed.render_as_string(hide_password=False)
        self._on_keys = on_keys
        self._on_reset = on_reset
        self._on_lockout = on_lockout
        self._conn: asyncpg.Connection | None = None
        self._lost = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.connected = False
        self._failing = False

    async def start(self) -> None:
        """Connect once (so a server starts with a trusted cache), then supervise."""
        try:
            await self._connect()
        except Exception as exc:  # the database may be down at start: supervise retries
            self._report(exc)
        self._task = asyncio.create_task(self._supervise())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._conn is not None and not self._conn.is_closed():
            await self._conn.close()
        self.connected = False

    def _report(self, exc: Exception) -> None:
        """One log line per outage, not one per attempt."""
        if not self._failing:
            self._failing = True
            logger.warning(
                "invalidation listener cannot connect (%s); caches are distrusted until it does",
                type(exc).__name__,
            )

    async def _connect(self) -> None:
        import asyncpg  # here, not at the top: an SQLite server never loads it (issue 12: RSS)

        conn = await asyncpg.connect(self._dsn, timeout=self.CONNECT_TIMEOUT_SECONDS)
        conn.add_termination_listener(self._terminated)
        await conn.add_listener(CHANNEL, self._notified)
        if self._on_lockout is not None:
            await conn.add_listener(LOCKOUT_CHANNEL, self._lockout_notified)
        self._conn = conn
        self._lost.clear()
        self.connected = True
        if self._failing:
            self._failing = False
            logger.warning("invalidation listener reconnected; caches trusted again")
        self._on_reset()  # anything may have changed while nobody listened

    async def _supervise(self) -> None:
        attempt = 0
        while True:
            if self.connected:
                await self._lost.wait()
                attempt = 0
            delay = self.RETRY_SECONDS[min(attempt, len(self.RETRY_SECONDS) - 1)]
            await asyncio.sleep(delay)
            attempt += 1
            try:
                await self._connect()
            except Exception as exc:  # any failure: keep retrying, caches stay distrusted
                self._report(exc)

    def _terminated(self, _conn: object) -> None:
        self.connected = False
        self._on_reset()
        self._lost.set()

    def _notified(self, _conn: object, _pid: int, _channel: str, payload: object) -> None:
        self._on_keys(parse_payload(str(payload)))

    def _lockout_notified(self, _conn: object, _pid: int, _channel: str, payload: object) -> None:
        if self._on_lockout is not None:
            self._on_lockout(str(payload))
