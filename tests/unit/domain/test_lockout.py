"""Lockout rules: the effective policy, the lock test and every transition of a failure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gatehouse.domain.lockout import (
    DEFAULT_LOCKOUT,
    UNTIL_UNLOCKED,
    LockoutPolicy,
    LockState,
    after_failure,
    is_locked,
    lock_end,
    lockout_policy,
)
from gatehouse.domain.passwords import PasswordConfig

NOW = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        (PasswordConfig(), LockoutPolicy(10, DEFAULT_LOCKOUT)),
        (PasswordConfig(allowed_failed_attempts=3), LockoutPolicy(3, DEFAULT_LOCKOUT)),
        (PasswordConfig(lockout_duration=30), LockoutPolicy(10, 30 * MINUTE)),
        (PasswordConfig(lockout_duration=0), LockoutPolicy(10, None)),
        (
            PasswordConfig(allowed_failed_attempts=1, lockout_duration=1440),
            LockoutPolicy(1, 1440 * MINUTE),
        ),
        # Fields that do not concern lockout change nothing.
        (PasswordConfig(minimum_character_count=20), LockoutPolicy(10, DEFAULT_LOCKOUT)),
    ],
)
def test_lockout_policy(config: PasswordConfig, expected: LockoutPolicy) -> None:
    assert lockout_policy(config) == expected


def test_default_is_ten_attempts_for_two_minutes() -> None:
    assert LockoutPolicy() == LockoutPolicy(10, timedelta(minutes=2))


@pytest.mark.parametrize(
    ("locked_until", "locked"),
    [
        (None, False),
        (NOW - timedelta(microseconds=1), False),
        (NOW, False),  # the lock ends at locked_until
        (NOW + timedelta(microseconds=1), True),
        (UNTIL_UNLOCKED, True),
    ],
)
def test_is_locked(locked_until: datetime | None, locked: bool) -> None:
    assert is_locked(NOW, locked_until) is locked


def test_lock_end() -> None:
    assert lock_end(LockoutPolicy(3, 5 * MINUTE), NOW) == NOW + 5 * MINUTE
    assert lock_end(LockoutPolicy(3, None), NOW) == UNTIL_UNLOCKED


def test_failures_below_the_limit_only_count() -> None:
    policy = LockoutPolicy(3, 5 * MINUTE)
    assert after_failure(LockState(), policy, NOW) == LockState(1, None)
    assert after_failure(LockState(1), policy, NOW) == LockState(2, None)


def test_reaching_the_limit_locks_for_the_duration() -> None:
    policy = LockoutPolicy(3, 5 * MINUTE)
    assert after_failure(LockState(2), policy, NOW) == LockState(3, NOW + 5 * MINUTE)


def test_a_limit_of_one_locks_at_the_first_failure() -> None:
    assert after_failure(LockState(), LockoutPolicy(1, MINUTE), NOW) == LockState(1, NOW + MINUTE)


def test_indefinite_lock() -> None:
    state = after_failure(LockState(9), LockoutPolicy(10, None), NOW)
    assert state == LockState(10, UNTIL_UNLOCKED)
    assert is_locked(NOW + timedelta(days=3650), state.locked_until)


def test_failures_while_locked_change_nothing() -> None:
    """The count stays at the limit and the lock is not extended by further guesses."""
    locked = LockState(3, NOW + 5 * MINUTE)
    policy = LockoutPolicy(3, 5 * MINUTE)
    assert after_failure(locked, policy, NOW + MINUTE) == locked
    assert after_failure(locked, LockoutPolicy(1, None), NOW + MINUTE) == locked


def test_an_expired_lock_starts_a_new_round() -> None:
    expired = LockState(3, NOW - MINUTE)
    assert after_failure(expired, LockoutPolicy(3, 5 * MINUTE), NOW) == LockState(1, None)
    assert after_failure(expired, LockoutPolicy(1, MINUTE), NOW) == LockState(1, NOW + MINUTE)


def test_a_lowered_limit_locks_at_once_without_passing_it() -> None:
    """A count left over from a laxer policy is clamped to the new limit."""
    assert after_failure(LockState(7), LockoutPolicy(3, MINUTE), NOW) == LockState(3, NOW + MINUTE)


def test_is_clean() -> None:
    assert LockState().is_clean
    assert not LockState(1).is_clean
    assert not LockState(0, NOW).is_clean


policies = st.builds(
    LockoutPolicy,
    st.integers(1, 10),
    st.one_of(st.none(), st.integers(1, 1440).map(lambda m: m * MINUTE)),
)
steps = st.lists(st.integers(0, 3000), max_size=40)  # seconds between failures


@given(policies, steps)
def test_any_sequence_of_failures(policy: LockoutPolicy, gaps: list[int]) -> None:
    """Whatever the timing: the count never passes the limit, the user is locked exactly when
    a failure reaches it, and a lock only ever ends at its own time."""
    state, now = LockState(), NOW
    for gap in gaps:
        now += timedelta(seconds=gap)
        was_locked = is_locked(now, state.locked_until)
        new = after_failure(state, policy, now)
        assert 1 <= new.failed_attempts <= policy.allowed_failed_attempts
        if was_locked:
            assert new == state
        else:
            reached = new.failed_attempts == policy.allowed_failed_attempts
            assert is_locked(now, new.locked_until) is reached
            assert new.locked_until == (lock_end(policy, now) if reached else None)
        state = new
