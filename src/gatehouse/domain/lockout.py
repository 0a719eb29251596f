"""Lockout after repeated wrong passwords (spec §3.4, decisions.md).

Without a PasswordConfig, 10 wrong passwords lock a user for 2 minutes; a config's
``AllowedFailedAttempts`` (1–9) and ``LockoutDuration`` (10–1440 minutes, 0 = until an admin
unlocks) override either. ``FailedLoginAttempts`` counts wrong passwords since the last right
one, unlock or expired lock, and never exceeds the allowed number.

These rules are pure; storage applies ``after_failure`` under a row lock so concurrent wrong
guesses are counted one at a time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from gatehouse.domain.passwords import PasswordConfig

DEFAULT_ALLOWED_FAILED_ATTEMPTS = 10
DEFAULT_LOCKOUT = timedelta(minutes=2)
# ``locked_until`` of a lock that lasts until an admin unlocks: a date no clock reaches.
UNTIL_UNLOCKED = datetime(9999, 12, 31, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class LockoutPolicy:
    """``duration`` ``None`` = locked until an admin unlocks."""

    allowed_failed_attempts: int = DEFAULT_ALLOWED_FAILED_ATTEMPTS
    duration: timedelta | None = DEFAULT_LOCKOUT


@dataclass(frozen=True, slots=True)
class LockState:
    """A user's stored lockout columns."""

    failed_attempts: int = 0
    locked_until: datetime | None = None

    @property
    def is_clean(self) -> bool:
        """Nothing to reset: no counted failures and no lock, live or expired."""
        return self.failed_attempts == 0 and self.locked_until is None


def lockout_policy(config: PasswordConfig) -> LockoutPolicy:
    """The lockout rules of an effective PasswordConfig; each unset field keeps its default."""
    attempts = config.allowed_failed_attempts or DEFAULT_ALLOWED_FAILED_ATTEMPTS
    minutes = config.lockout_duration
    if minutes is None:
        return LockoutPolicy(attempts, DEFAULT_LOCKOUT)
    return LockoutPolicy(attempts, None if minutes == 0 else timedelta(minutes=minutes))


def is_locked(now: datetime, locked_until: datetime | None) -> bool:
    return locked_until is not None and now < locked_until


def after_failure(state: LockState, policy: LockoutPolicy, now: datetime) -> LockState:
    """The state after one more wrong password.

    While locked nothing changes: the count is already at the limit and the lock is not
    extended, so a stream of guesses cannot keep a user locked out for ever. An expired lock
    starts a new round of attempts. Reaching the limit locks the user.
    """
    if is_locked(now, state.locked_until):
        return state
    previous = 0 if state.locked_until is not None else state.failed_attempts
    count = min(previous + 1, policy.allowed_failed_attempts)
    if count < policy.allowed_failed_attempts:
        return LockState(count, None)
    return LockState(count, lock_end(policy, now))


def lock_end(policy: LockoutPolicy, now: datetime) -> datetime:
    return UNTIL_UNLOCKED if policy.duration is None else now + policy.duration
