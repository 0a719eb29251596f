"""In-process counters and the limiter on an injected clock: buckets per key, reservations
withdrawn after a right password, bounded tables."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from gatehouse.domain.clock import FrozenClock
from gatehouse.domain.rate_limits import Bucket
from gatehouse.ratelimit.counters import InProcessCounters
from gatehouse.ratelimit.limiter import RateLimiter

pytestmark = pytest.mark.asyncio


async def test_buckets_are_per_key() -> None:
    counters = InProcessCounters()
    bucket = Bucket(60, 1)
    assert await counters.take("a", bucket, 0.0) == 0.0
    assert await counters.take("a", bucket, 0.0) == pytest.approx(1.0)
    assert await counters.take("b", bucket, 0.0) == 0.0


async def test_reservations_and_withdrawal() -> None:
    counters = InProcessCounters()
    for i in range(3):
        wait, reservation = await counters.reserve("k", f"m{i}", 3, 3600, float(i))
        assert wait == 0.0
        assert reservation is not None
    wait, refused = await counters.reserve("k", "m3", 3, 3600, 10.0)
    assert refused is None
    assert wait == pytest.approx(3590.0)
    assert reservation is not None
    await counters.withdraw(reservation)  # the last one proved right
    wait, again = await counters.reserve("k", "m4", 3, 3600, 11.0)
    assert wait == 0.0
    assert again is not None


async def test_attempts_in_flight_are_withdrawn_in_any_order() -> None:
    """One user signing in on many connections at once: each attempt is counted while its
    password is checked and withdrawn when it proves right, whatever order they finish in."""
    counters = InProcessCounters()
    held = []
    for i in range(5):
        wait, reservation = await counters.reserve("k", f"m{i}", 5, 3600, float(i))
        assert wait == 0.0
        assert reservation is not None
        held.append(reservation)
    assert (await counters.reserve("k", "m5", 5, 3600, 5.0))[1] is None  # five in the window
    for reservation in (held[3], held[0], held[4]):
        await counters.withdraw(reservation)
    for i in range(6, 9):  # room for exactly three more
        assert (await counters.reserve("k", f"m{i}", 5, 3600, float(i)))[1] is not None
    wait, refused = await counters.reserve("k", "m9", 5, 3600, 9.0)
    assert refused is None
    assert wait == pytest.approx(3592.0)  # m1, the oldest left, leaves the window at 3601
    for reservation in held[1:3]:
        await counters.withdraw(reservation)
    await counters.withdraw(held[1])  # twice is harmless
    assert (await counters.reserve("k", "m10", 5, 3600, 10.0))[1] is not None


async def test_expired_attempts_leave_the_window() -> None:
    counters = InProcessCounters()
    for i in range(3):
        await counters.reserve("k", f"m{i}", 3, 100, float(i))
    wait, refused = await counters.reserve("k", "late", 3, 100, 50.0)
    assert refused is None
    assert wait == pytest.approx(50.0)
    assert (await counters.reserve("k", "m3", 3, 100, 100.5))[1] is not None  # m0 expired
    # A clock that stepped back: an attempt counted "later" than a newer one still counts
    # only while it is in the window.
    stepped = InProcessCounters()
    await stepped.reserve("k", "a", 2, 100, 500.0)
    await stepped.reserve("k", "b", 2, 100, 400.0)
    assert (await stepped.reserve("k", "c", 2, 100, 450.0))[1] is None
    assert (await stepped.reserve("k", "d", 2, 100, 550.0))[1] is not None  # b expired


async def test_tables_stay_bounded() -> None:
    counters = InProcessCounters()
    counters.MAX_WINDOWS = 10
    counters.MAX_BUCKETS = 10
    for i in range(25):
        await counters.reserve(f"user{i}", "m", 100, 3600, 0.0)
        await counters.take(f"client{i}", Bucket(60, 5), 0.0)
    buckets, windows = counters.sizes()
    assert buckets <= 10
    assert windows <= 10
    # Expired windows go first: the live newest one survives a sweep.
    counters = InProcessCounters()
    counters.MAX_WINDOWS = 3
    for i in range(3):
        await counters.reserve(f"old{i}", "m", 100, 3600, 0.0)
    await counters.reserve("new", "m", 100, 3600, 7200.0)
    assert counters.sizes()[1] == 1


class _NoConfig:
    """The failure window needs no limit configuration."""


async def test_limiter_counts_failures_per_username_case_insensitively() -> None:
    clock = FrozenClock(datetime(2026, 1, 1, tzinfo=UTC))
    limiter = RateLimiter(_NoConfig(), InProcessCounters(), clock, 2)  # type: ignore[arg-type]
    for name in ("Bob", "bob"):
        wait, reservation = await limiter.begin_password_attempt("m1", name)
        assert wait is None
        assert reservation is not None
    wait, refused = await limiter.begin_password_attempt("m1", "BOB")
    assert (wait, refused) == (3600, None)
    assert (await limiter.begin_password_attempt("m2", "bob"))[0] is None  # other marketplace
    assert (await limiter.begin_password_attempt("m1", "alice"))[0] is None
    clock.advance(timedelta(minutes=59))
    assert (await limiter.begin_password_attempt("m1", "bob"))[0] == 60
    clock.advance(timedelta(minutes=1))
    wait, right = await limiter.begin_password_attempt("m1", "bob")
    assert wait is None
    await limiter.password_verified(right)  # a right password is not a failure
    for _ in range(2):
        assert (await limiter.begin_password_attempt("m1", "bob"))[0] is None
    assert (await limiter.begin_password_attempt("m1", "bob"))[0] == 3600


async def test_redis_url_must_be_a_redis_url() -> None:
    from pydantic import ValidationError

    from gatehouse.settings import Settings

    for good in ("", "redis://h:6379/0", "rediss://h", "unix:///tmp/redis.sock"):
        assert Settings(redis_url=good).redis_url == good
    with pytest.raises(ValidationError):
        Settings(redis_url="http://h:6379")
    with pytest.raises(ValidationError):
        Settings(failed_passwords_per_hour=101)
