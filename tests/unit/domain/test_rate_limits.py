"""Rate limit rules: validation bounds, token bucket arithmetic on an injected clock (plain
numbers: no sleeping), ``Retry-After`` rounding and the sliding failure window."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gatehouse.domain.errors import InvalidInputError
from gatehouse.domain.rate_limits import (
    Bucket,
    BucketState,
    RateLimits,
    retry_after_seconds,
    take,
    validate_limits,
    window_wait,
)


def test_omitted_burst_is_one_minutes_worth_and_none_is_unlimited() -> None:
    checked = validate_limits(RateLimits(token_per_minute=30, api_per_minute=600, api_burst=5))
    assert checked == RateLimits(30, 30, 600, 5)
    assert checked.token == Bucket(30, 30)
    assert checked.api == Bucket(600, 5)
    assert validate_limits(RateLimits()).unlimited
    assert validate_limits(RateLimits(1_000_000, 1_000_000, 1, 1)).token == Bucket(
        1_000_000, 1_000_000
    )


@pytest.mark.parametrize(
    ("limits", "field"),
    [
        (RateLimits(token_per_minute=-1), "TokenRequestsPerMinute"),
        (RateLimits(token_per_minute=0), "TokenRequestsPerMinute"),
        (RateLimits(token_per_minute=1_000_001), "TokenRequestsPerMinute"),
        (RateLimits(token_per_minute=5, token_burst=0), "TokenBurst"),
        (RateLimits(token_burst=5), "TokenBurst"),
        (RateLimits(api_per_minute=5, api_burst=1_000_001), "ApiBurst"),
        (RateLimits(api_per_minute=-5), "ApiRequestsPerMinute"),
        (RateLimits(api_per_minute=True), "ApiRequestsPerMinute"),
    ],
)
def test_bad_limits(limits: RateLimits, field: str) -> None:
    with pytest.raises(InvalidInputError) as raised:
        validate_limits(limits)
    assert raised.value.code == "ValidationFailure"
    assert raised.value.data == {"Field": field}


def test_a_new_bucket_is_full_and_refills_evenly() -> None:
    bucket = Bucket(per_minute=60, burst=3)
    state = None
    for _ in range(3):
        state, wait = take(state, bucket, 1000.0)
        assert wait == 0.0
    state, wait = take(state, bucket, 1000.0)
    assert wait == pytest.approx(1.0)
    state, wait = take(state, bucket, 1000.5)
    assert wait == pytest.approx(0.5)  # half a token came in
    state, wait = take(state, bucket, 1001.0)
    assert wait == 0.0
    # A long pause refills only up to the burst.
    state, _ = take(state, bucket, 5000.0)
    assert state.tokens == pytest.approx(2.0)


def test_a_clock_that_goes_back_refills_nothing() -> None:
    bucket = Bucket(per_minute=60, burst=1)
    state, _ = take(None, bucket, 1000.0)
    state, wait = take(state, bucket, 900.0)
    assert wait == pytest.approx(1.0)
    assert state.at == 1000.0


@given(
    per_minute=st.integers(1, 1_000_000),
    burst=st.integers(1, 1000),
    steps=st.lists(st.floats(0, 120, allow_nan=False), max_size=50),
)
def test_never_more_than_burst_plus_refill(per_minute: int, burst: int, steps: list[float]) -> None:
    """Over any run, granted requests ≤ burst + elapsed × rate."""
    bucket = Bucket(per_minute, burst)
    state: BucketState | None = None
    now, granted = 0.0, 0
    for step in steps:
        now += step
        state, wait = take(state, bucket, now)
        granted += wait == 0.0
        assert 0.0 <= state.tokens <= burst
    assert granted <= burst + now * per_minute / 60 + 1e-6


def test_retry_after_is_whole_seconds_rounded_up() -> None:
    assert retry_after_seconds(0.001) == 1
    assert retry_after_seconds(1.0) == 1
    assert retry_after_seconds(1.2) == 2
    assert retry_after_seconds(29.9) == 30


def test_sliding_failure_window() -> None:
    assert window_wait([], 0.0, 3, 3600) == 0.0
    assert window_wait([0.0, 10.0], 20.0, 3, 3600) == 0.0
    assert window_wait([0.0, 10.0, 20.0], 30.0, 3, 3600) == 3570.0
    assert window_wait([0.0, 10.0, 20.0], 3600.0, 3, 3600) == 0.0  # the first one left
    assert window_wait([5.0, 10.0, 20.0, 30.0], 40.0, 3, 3600) == 3570.0
