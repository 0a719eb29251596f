"""The lockout generation: a signal, separate from cache invalidation, that a lockout counter
(``FailedLoginAttempts``, ``locked_until``) changed somewhere (issue 12).

Why a signal of its own: a wrong password writes the counter with ``NOT_CACHED`` and
invalidates nothing (``storage.queries.login_failures``), because an invalidating commit on
SQLite bumps the one shared epoch that makes every other process drop *all* its caches (a
password-spraying attack would thrash token verification), and because a wrong password must
cost the same whether or not the user exists (issue 10). Yet ``GET /v1/me`` shows the counter,
so it used to read it on every request. Now only the caches that show the counter (the Me
cache) watch this generation, and re-read the counter only when it moved:

- the writer marks its transaction (``lockout_changed``, from ``login_failures`` and the
  unlock): for a real user and for the decoy row of an unknown username alike, so both paths
  still do the same work (one more ``NOTIFY`` on PostgreSQL, one ``flock``ed memory write on
  SQLite) and nothing tells them apart;
- this process: ``Database.write`` calls ``LockoutGeneration.bump`` right after the commit;
- other processes on one SQLite file: a second shared counter file beside the database
  (``SqliteEpoch`` with the suffix ``lockout``), read (a memory read) on every lookup;
- other processes on PostgreSQL: ``pg_notify`` on its own channel (``CHANNEL``) inside the
  same transaction, with the writing process's ``origin`` as payload (the same for a real user
  and a decoy); ``PgListener`` LISTENs on it beside the invalidation channel and calls
  ``LockoutGeneration.moved``, which skips the process's own notices. Its own channel, not a
  new key kind on the invalidation channel: a process of the previous release decodes an
  unknown kind as ``EVERYTHING`` (``cache_keys``) and would drop all its caches on every wrong
  password during a rolling deploy. While the listener is down the caches are untrusted and
  read every time. During such a deploy, a previous-release process sends no lockout notice:
  until it is replaced, a wrong password it handles shows in another process's ``/v1/me``
  only at that process's next generation move or invalidation (the lockout itself is always
  decided from the row, at login).

The generation is global, not per user: a password-spraying attack makes every cached ``Me``
re-read its counter (one query, as before this signal), never more. Per-user notices would
spare the other users' reads, but a SQLite file holds one counter, and a payload naming the
user would differ from a decoy's. The cost on PostgreSQL: a transaction that notifies takes a
database-wide lock at commit, so wrong passwords commit one at a time (each already waits on
its row lock and follows an 18 ms hash; the unknown-username path pays the same).
"""

from __future__ import annotations

import secrets

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from gatehouse.storage.epoch import SqliteEpoch

CHANNEL = "gatehouse_lockout"
CHANGED = "gatehouse.lockout_changed"
"""``session.info`` flag: this transaction wrote a lockout counter (``Database.write``)."""


def lockout_changed(session: AsyncSession) -> None:
    """Record that this transaction writes a lockout counter; signalled when it commits."""
    session.info[CHANGED] = True


async def announce(session: AsyncSession, origin: str) -> None:
    """The PostgreSQL notice, inside the transaction: sent exactly when (and if) it commits.
    Run on the connection, not through the ORM, so it is no statement of the write's own."""
    connection = await session.connection()
    await connection.execute(select(func.pg_notify(CHANNEL, origin)))


class LockoutGeneration:
    """A value that changes after every committed lockout-counter write on the database, as
    this process can tell: its own commits (``bump``), the shared SQLite file, the PostgreSQL
    notices (``moved``). Readers compare it, they never interpret it."""

    def __init__(self, shared: SqliteEpoch | None = None) -> None:
        self._shared = shared
        self._local = 0
        self.origin = secrets.token_hex(8)
        """The payload of this process's notices: its own come back to its listener, already
        counted by ``bump``."""

    @classmethod
    def for_url(cls, url: str, *, sqlite: bool) -> LockoutGeneration:
        """With a counter file beside a SQLite database file (none for in-memory databases,
        which one process alone can open); local only on PostgreSQL (notices move it)."""
        return cls(SqliteEpoch.for_url(url, suffix="lockout") if sqlite else None)

    def value(self) -> int:
        shared = self._shared.value() if self._shared is not None else 0
        return self._local + shared

    def bump(self) -> None:
        """This process committed a lockout-counter write."""
        self._local += 1
        if self._shared is not None:
            self._shared.bump()

    def moved(self, origin: str) -> None:
        """A PostgreSQL notice: another process committed one (this process's own notices
        are ignored: ``bump`` counted them at commit)."""
        if origin != self.origin:
            self._local += 1
