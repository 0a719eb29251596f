"""Per-process cache of the login records the password grant reads (issue 12): the user found
by username with its password hash, lockout columns, password age and effective
PasswordConfig, so a warm login runs no query.

Why: argon2id is the password grant's whole budget, and everything else a login does runs on
the event loop while two 19 MiB hashes sweep the caches of both cores. Measured in one process
with a production-cost hash, the loop's share of a login was 3.1 ms, twice what the same code
costs beside a token-cost hash; the two lookups and the read session they open were most of
it, and without them the loop's share fell by about 60 % (``bench/README.md``).

Freshness, as for the other caches of database state (``storage.cache``):

- every write to the tables a record is made of (users, companies, marketplaces, security
  profiles and their assignments, user groups and memberships) records ``ROLES`` and
  ``IDENTITIES`` invalidations (``storage.invalidation.WATCHED_TABLES``), which empty this
  cache in this process at once and in every other through ``pg_notify`` or the SQLite epoch:
  a new password, a deactivation or a stricter PasswordConfig counts at the next login
  everywhere;
- the lockout counter changes without an invalidation (``storage.queries.login_failures``), so
  each entry records the lockout generation (``storage.lockout_signal``) it was read at and is
  read again once that moved: after any wrong password, reset or unlock, in any process;
- while the cache is untrusted (PostgreSQL listener down) every login reads the database.

Timing: a cached login would answer sooner than one that reads the database, and an unknown
username is never cached, so the first guess at a user who logged in lately would tell that
the user exists (issue 10 made a wrong password cost the same whether or not the user exists).
A hit therefore waits as long as one of the recent misses took (their wall times, one chosen
at random): the CPU is saved, the answer's timing keeps the distribution of a database read
under the process's current load. Recent means the last minute: a process whose logins all
hit reads the database anyway once every few seconds (``REFRESH_SECONDS``), so the samples
follow the load; and a sample far above the others (the first reads of a burst queue behind
each other) is cut to a few times their median, so it cannot slow every later hit. Every
wrong password moves the lockout generation, so a guesser's next lookup is a miss again, for
a real user and an unknown one alike.
"""

from __future__ import annotations

import asyncio
import secrets
import statistics
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from gatehouse.domain.grant_records import LoginRecord
from gatehouse.storage.cache import InvalidatedCache
from gatehouse.storage.cache_keys import CacheKey, KeyKind
from gatehouse.storage.db import Database

LoginKey = tuple[str, str]
"""(marketplace ID, username key: ``storage.queries.users.username_key``)."""
DROPPED_BY = frozenset({KeyKind.ROLES, KeyKind.IDENTITIES, KeyKind.USER, KeyKind.COMPANY})
"""A record holds the user, its company's state and its profiles' PasswordConfig."""
MISS_SAMPLES = 64
"""How many recent misses' wall times a hit's wait is drawn from, at most..."""
MISS_WINDOW_SECONDS = 60.0
"""...and how recent they must be."""
REFRESH_SECONDS = 5.0
"""A hit is served as a miss (a real read) when no read was timed for this long."""
OUTLIER_FACTOR = 4.0
"""A hit waits at most this many times the median of the recent misses."""

OVERSHOOT_WEIGHT = 16
"""The moving average of how late a hit's sleep ends weighs the last one 1/16."""

Sleep = Callable[[float], Awaitable[Any]]


@dataclass(frozen=True, slots=True)
class _Entry:
    record: LoginRecord
    counted_at: int
    """The lockout generation before the record was read."""


class LoginRecordCache(InvalidatedCache):
    MAX_ENTRIES = 10_000
    """About 1.5 KB a record: 15 MB at most, then it starts over."""

    def __init__(self, db: Database, *, sleep: Sleep = asyncio.sleep) -> None:
        super().__init__(db)
        self._lockout = db.lockout
        self._sleep = sleep
        self._entries: dict[LoginKey, _Entry] = {}
        self._misses: deque[tuple[float, float]] = deque(maxlen=MISS_SAMPLES)
        """(when it ended, how long it took), oldest first."""
        self._overshoot = 0.0

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def miss_seconds(self) -> list[float]:
        """The recent misses' read times a hit's wait is drawn from."""
        return [seconds for _, seconds in self._misses]

    def _maps(self) -> tuple[dict[Any, Any], ...]:
        return (self._entries,)

    def _drop(self, key: CacheKey) -> None:
        if key.kind in DROPPED_BY:
            self._entries.clear()

    async def find(
        self, key: LoginKey, load: Callable[[LoginKey], Awaitable[LoginRecord | None]]
    ) -> LoginRecord | None:
        """The record of ``key`` (``None``: no such user), from the cache when it is fresh."""
        self._poll_epoch()
        seen = self._lockout.value()
        started = time.perf_counter()
        self._forget_misses_before(started - MISS_WINDOW_SECONDS)
        entry = self._entries.get(key) if self.trusted else None
        if entry is not None and entry.counted_at == seen and self._timed_since(started):
            await self._wait_like_a_miss()
            return entry.record
        generation = self._generation
        record = await load(key)
        ended = time.perf_counter()
        self._misses.append((ended, ended - started))
        # Kept only if nothing was invalidated while it was read (``storage.cache``).
        if record is not None and self.trusted and generation == self._generation:
            if len(self._entries) >= self.MAX_ENTRIES:
                self._make_room(self._entries)
            self._entries[key] = _Entry(record, seen)
        return record

    def _forget_misses_before(self, moment: float) -> None:
        while self._misses and self._misses[0][0] < moment:
            self._misses.popleft()

    def _timed_since(self, now: float) -> bool:
        """Whether a read was timed in the last ``REFRESH_SECONDS``."""
        return bool(self._misses) and self._misses[-1][0] >= now - REFRESH_SECONDS

    async def _wait_like_a_miss(self) -> None:
        """Sleep a recent miss's read time. The event loop wakes a little late (uvloop's
        timers count whole milliseconds, rounded, then the loop's own turn): what a sleep
        overshot is learnt (a moving average) and asked for less, so hits do not end up
        slower than misses on average either."""
        durations = self.miss_seconds
        wanted = min(secrets.choice(durations), OUTLIER_FACTOR * statistics.median(durations))
        started = time.perf_counter()
        await self._sleep(max(0.0, wanted - self._overshoot))
        overshot = time.perf_counter() - started - wanted + self._overshoot
        self._overshoot += (overshot - self._overshoot) / OVERSHOOT_WEIGHT
