"""The per-process cache of login records (``oauth.login_records``): a found user is read once
while nothing changes, an unknown username never is kept, every key kind after which a user,
its company or its PasswordConfig may have changed empties it, a moved lockout generation
makes the next login read again, and a hit waits as long as a recent miss took."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from gatehouse.domain.grant_records import LoginRecord
from gatehouse.domain.lockout import LockState
from gatehouse.domain.passwords import PasswordConfig
from gatehouse.domain.users import UserIdentity, UserType
from gatehouse.oauth.login_records import (
    DROPPED_BY,
    MISS_SAMPLES,
    MISS_WINDOW_SECONDS,
    OUTLIER_FACTOR,
    REFRESH_SECONDS,
    LoginKey,
    LoginRecordCache,
)
from gatehouse.storage.cache_keys import (
    EVERYTHING,
    IDENTITIES,
    REFRESH_TOKENS,
    REVOKED_TOKENS,
    ROLES,
    CacheKey,
    KeyKind,
    client_key,
    client_limits_key,
    company_key,
    marketplace_limits_key,
    user_key,
)
from gatehouse.storage.lockout_signal import LockoutGeneration

JANE = ("mkt", "jane")
RECORD = LoginRecord(
    identity=UserIdentity(
        internal_id=7,
        username="jane",
        user_type=UserType.ADMIN,
        company_id=None,
        active=True,
        company_active=True,
        tokens_valid_from=0,
    ),
    password_hash="$argon2id$stand-in",
    lock=LockState(),
    password_last_set=datetime(2026, 1, 1, tzinfo=UTC),
    password_config=PasswordConfig(),
)


class Db:
    """Stands in for ``Database``: no shared SQLite epoch, a local lockout generation."""

    epoch = None

    def __init__(self) -> None:
        self.lockout = LockoutGeneration()


class Loads:
    """A loader that counts its calls and finds only the usernames it holds."""

    def __init__(self, *found: str) -> None:
        self.found = set(found)
        self.calls: list[LoginKey] = []

    async def __call__(self, key: LoginKey) -> LoginRecord | None:
        self.calls.append(key)
        return RECORD if key[1] in self.found else None


class Sleeps:
    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def new_cache(db: Db | None = None, sleeps: Sleeps | None = None) -> LoginRecordCache:
    return LoginRecordCache(db or Db(), sleep=sleeps or Sleeps())  # type: ignore[arg-type]


async def test_a_found_user_is_read_once() -> None:
    cache, load = new_cache(), Loads("jane")
    assert await cache.find(JANE, load) is RECORD
    assert await cache.find(JANE, load) is RECORD
    assert load.calls == [JANE]


async def test_an_unknown_username_is_never_kept() -> None:
    cache, load = new_cache(), Loads()
    assert await cache.find(("mkt", "nobody"), load) is None
    assert await cache.find(("mkt", "nobody"), load) is None
    assert len(load.calls) == 2


async def test_marketplaces_do_not_share_usernames() -> None:
    cache, load = new_cache(), Loads("jane")
    await cache.find(JANE, load)
    await cache.find(("other", "jane"), load)
    assert load.calls == [JANE, ("other", "jane")]


async def test_a_moved_lockout_generation_reads_again() -> None:
    """A wrong password, a reset or an unlock anywhere: the counter may have changed."""
    db = Db()
    cache, load = new_cache(db), Loads("jane")
    await cache.find(JANE, load)
    db.lockout.bump()
    await cache.find(JANE, load)
    await cache.find(JANE, load)
    assert load.calls == [JANE, JANE]


async def test_a_lockout_write_during_the_read_is_not_missed() -> None:
    """The generation is read before the record: a write committing meanwhile moves it."""
    db = Db()
    cache = new_cache(db)

    async def counted_meanwhile(key: LoginKey) -> LoginRecord:
        db.lockout.bump()
        return RECORD

    await cache.find(JANE, counted_meanwhile)
    load = Loads("jane")
    await cache.find(JANE, load)
    assert load.calls == [JANE]


DROPPING = [
    ROLES,
    IDENTITIES,
    EVERYTHING,
    user_key("mkt", 99),
    company_key("mkt", "buyer", "b"),
]
KEEPING = [
    REFRESH_TOKENS,
    REVOKED_TOKENS,
    client_key("any-client"),
    client_limits_key("c1"),
    marketplace_limits_key("mkt"),
]


@pytest.mark.parametrize("key", DROPPING, ids=lambda key: key.encode())
async def test_keys_that_may_change_a_user_empty_it(key: CacheKey) -> None:
    cache, load = new_cache(), Loads("jane")
    await cache.find(JANE, load)
    cache.invalidate({key})
    await cache.find(JANE, load)
    assert load.calls == [JANE, JANE]


@pytest.mark.parametrize("key", KEEPING, ids=lambda key: key.encode())
async def test_unrelated_keys_keep_it(key: CacheKey) -> None:
    cache, load = new_cache(), Loads("jane")
    await cache.find(JANE, load)
    cache.invalidate({key})
    await cache.find(JANE, load)
    assert load.calls == [JANE]


def test_every_key_kind_is_classified() -> None:
    """A new kind must be placed on one side or the other, deliberately."""
    kept = {key.kind for key in KEEPING}
    assert DROPPED_BY | kept | {KeyKind.EVERYTHING} == set(KeyKind)
    assert not DROPPED_BY & kept


async def test_a_distrusted_cache_reads_every_time() -> None:
    """The PostgreSQL listener is down: notices may be missed."""
    cache, load = new_cache(), Loads("jane")
    cache.trusted = False
    await cache.find(JANE, load)
    await cache.find(JANE, load)
    assert load.calls == [JANE, JANE]


async def test_a_load_racing_an_invalidation_is_not_kept() -> None:
    cache = new_cache()

    async def changed_meanwhile(key: LoginKey) -> Any:
        cache.invalidate({IDENTITIES})
        return RECORD

    assert await cache.find(JANE, changed_meanwhile) is RECORD
    load = Loads("jane")
    await cache.find(JANE, load)
    assert load.calls == [JANE]


async def test_a_full_cache_starts_over(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(LoginRecordCache, "MAX_ENTRIES", 2)
    cache, load = new_cache(), Loads("a", "b", "c")
    for name in "abc":
        await cache.find(("mkt", name), load)
    load.calls.clear()
    await cache.find(("mkt", "c"), load)
    await cache.find(("mkt", "a"), load)
    assert load.calls == [("mkt", "a")]


class Clock:
    """``time.perf_counter`` for the cache: moved by the fake reads and sleeps alone."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class SlowLoads(Loads):
    """Each read takes the next of ``seconds`` on ``clock``."""

    def __init__(self, clock: Clock, seconds: list[float], *found: str) -> None:
        super().__init__(*found)
        self.clock, self.seconds = clock, iter(seconds)

    async def __call__(self, key: LoginKey) -> LoginRecord | None:
        self.clock.now += next(self.seconds)
        return await super().__call__(key)


class LateSleeps(Sleeps):
    """Each sleep ends ``late`` after what was asked, as an event loop's timers do."""

    def __init__(self, clock: Clock, late: float) -> None:
        super().__init__()
        self.clock, self.late = clock, late

    async def __call__(self, seconds: float) -> None:
        await super().__call__(seconds)
        self.clock.now += seconds + self.late


async def test_a_hit_waits_as_long_as_a_recent_miss_took(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Timing parity (issue 10): a cached login must not answer measurably sooner than one
    that reads the database, or the first guess at a user who logged in lately would tell
    that the user exists; nor later, once the sleeps' lateness is learnt."""
    clock = Clock()
    monkeypatch.setattr("gatehouse.oauth.login_records.time.perf_counter", clock)
    sleeps = LateSleeps(clock, late=0.0003)
    cache = new_cache(sleeps=sleeps)
    load = SlowLoads(clock, [0.004, 0.002, 0.001], "jane")
    await cache.find(("mkt", "nobody"), load)  # misses: 4 ms, 2 ms, 1 ms
    await cache.find(("mkt", "ghost"), load)
    await cache.find(JANE, load)
    assert sleeps.waits == []  # a miss waits for nothing but its read
    hits = []
    for _ in range(200):
        started = clock.now
        assert await cache.find(JANE, load) is RECORD
        hits.append(round(clock.now - started, 6))
    assert len(load.calls) == 3
    late = hits[-50:]  # the lateness learnt: each hit lasts one of the misses' times
    assert all(min(abs(hit - miss) for miss in (0.004, 0.002, 0.001)) < 0.00005 for hit in late)
    assert len(set(late)) > 1  # drawn at random, not always the same one
    assert hits[0] > 0.001  # before anything is learnt a hit may end late, never early


async def test_at_most_the_last_misses_set_the_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock()
    monkeypatch.setattr("gatehouse.oauth.login_records.time.perf_counter", clock)
    cache = new_cache()
    load = SlowLoads(clock, [0.001] * (MISS_SAMPLES + 10))
    for n in range(MISS_SAMPLES + 10):
        await cache.find(("mkt", f"nobody{n}"), load)
    assert len(cache.miss_seconds) == MISS_SAMPLES


async def test_misses_older_than_the_window_are_forgotten(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = Clock()
    monkeypatch.setattr("gatehouse.oauth.login_records.time.perf_counter", clock)
    cache = new_cache()
    await cache.find(("mkt", "nobody"), SlowLoads(clock, [0.5]))
    clock.now += MISS_WINDOW_SECONDS + 1
    await cache.find(("mkt", "ghost"), SlowLoads(clock, [0.002]))
    assert cache.miss_seconds == [pytest.approx(0.002)]


async def test_a_process_whose_logins_all_hit_still_reads_now_and_then(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """So the wait follows the load of now, not of the last miss, however long ago."""
    clock = Clock()
    monkeypatch.setattr("gatehouse.oauth.login_records.time.perf_counter", clock)
    cache = new_cache(sleeps=LateSleeps(clock, late=0.0))
    load = SlowLoads(clock, [0.001] * 10, "jane")
    await cache.find(JANE, load)
    await cache.find(JANE, load)
    assert len(load.calls) == 1
    clock.now += REFRESH_SECONDS + 0.1
    assert await cache.find(JANE, load) is RECORD
    assert len(load.calls) == 2  # read again, and timed
    await cache.find(JANE, load)
    assert len(load.calls) == 2


async def test_a_burst_of_slow_first_reads_does_not_slow_every_hit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The first reads of a burst queue behind each other; a hit waits at most a few
    times the median of the recent misses."""
    clock = Clock()
    monkeypatch.setattr("gatehouse.oauth.login_records.time.perf_counter", clock)
    sleeps = LateSleeps(clock, late=0.0)
    cache = new_cache(sleeps=sleeps)
    load = SlowLoads(clock, [0.4, *([0.001] * 8)], "jane")
    for name in ("a", "b", "c", "d", "e", "f", "g", "h"):
        await cache.find(("mkt", name), load)
    await cache.find(JANE, load)
    for _ in range(100):
        await cache.find(JANE, load)
    assert max(sleeps.waits) <= OUTLIER_FACTOR * 0.001 + 1e-9
