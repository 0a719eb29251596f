"""Rate limits (Gatehouse's own; OrderCloud documents none): per-client token buckets on the
token endpoint and on the API, and a per-username window of failed password attempts.

Pure rules and arithmetic only; counters live in ``gatehouse.ratelimit`` (in the process, or
in Redis so that limits hold across processes).

- A limit is a token bucket: ``per_minute`` tokens flow in evenly (``per_minute / 60`` per
  second) up to ``burst``; each request takes one; a request finding less than one token is
  refused with the seconds until one is there (``Retry-After``).
- ``None`` for a per-minute rate means unlimited. A client's own limits, when set, replace the
  marketplace default as a whole; without either, nothing is limited.
- Failed passwords: no more than ``FAILED_PASSWORD_LIMIT`` failures per username within any
  sliding hour (ASVS 2.2.1); further attempts are refused before the password is checked.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from gatehouse.domain.errors import DomainError, InvalidInputError

MAX_PER_MINUTE = 1_000_000
MAX_BURST = 1_000_000
FAILED_PASSWORD_LIMIT = 100
FAILED_PASSWORD_WINDOW_SECONDS = 3600.0

FIELDS = ("TokenRequestsPerMinute", "TokenBurst", "ApiRequestsPerMinute", "ApiBurst")


class RateLimitedError(DomainError):
    """Too many requests (429): the caller may retry after ``retry_after`` seconds."""

    code = "RateLimit.Exceeded"
    default_message = "Too many requests for this API client. Retry later."

    def __init__(self, retry_after: int, code: str | None = None, message: str | None = None):
        self.retry_after = retry_after
        super().__init__(code, message, {"RetryAfter": retry_after})


@dataclass(frozen=True, slots=True)
class Bucket:
    """One token bucket's limit."""

    per_minute: int
    burst: int

    @property
    def per_second(self) -> float:
        return self.per_minute / 60.0


@dataclass(frozen=True, slots=True)
class RateLimits:
    """The four configurable values; ``None`` rate = unlimited. ``burst`` is filled in with the
    rate when omitted (one minute's worth), so a stored value is always complete."""

    token_per_minute: int | None = None
    token_burst: int | None = None
    api_per_minute: int | None = None
    api_burst: int | None = None

    @property
    def token(self) -> Bucket | None:
        return _bucket(self.token_per_minute, self.token_burst)

    @property
    def api(self) -> Bucket | None:
        return _bucket(self.api_per_minute, self.api_burst)

    @property
    def unlimited(self) -> bool:
        return self.token is None and self.api is None


UNLIMITED = RateLimits()


def _bucket(per_minute: int | None, burst: int | None) -> Bucket | None:
    if per_minute is None:
        return None
    return Bucket(per_minute, burst if burst is not None else per_minute)


def validate_limits(limits: RateLimits) -> RateLimits:
    """Checked limits with each omitted burst set to its rate; 400 ``ValidationFailure`` for a
    value that is negative, zero, absurd (above 1,000,000) or a burst without a rate."""
    token_burst = _pair(
        "TokenRequestsPerMinute", limits.token_per_minute, "TokenBurst", limits.token_burst
    )
    api_burst = _pair("ApiRequestsPerMinute", limits.api_per_minute, "ApiBurst", limits.api_burst)
    return RateLimits(limits.token_per_minute, token_burst, limits.api_per_minute, api_burst)


def _pair(rate_field: str, rate: int | None, burst_field: str, burst: int | None) -> int | None:
    _check_range(rate_field, rate, MAX_PER_MINUTE)
    _check_range(burst_field, burst, MAX_BURST)
    if rate is None:
        if burst is not None:
            raise _invalid(burst_field, f"{burst_field} needs {rate_field}.")
        return None
    return burst if burst is not None else min(rate, MAX_BURST)


def _check_range(field: str, value: int | None, maximum: int) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        raise _invalid(field, f"{field} must be a whole number or null.")
    if value < 1 or value > maximum:
        raise _invalid(
            field,
            f"{field} must be between 1 and {maximum:,} (null = unlimited; "
            "to stop a client, deactivate it).",
        )


def _invalid(field: str, message: str) -> InvalidInputError:
    return InvalidInputError(message=message, data={"Field": field})


# -- token bucket arithmetic ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BucketState:
    tokens: float
    at: float
    """Epoch seconds of the last update."""


def take(state: BucketState | None, bucket: Bucket, now: float) -> tuple[BucketState, float]:
    """Take one token: the new state and 0.0, or the unchanged (refilled) state and the seconds
    until a token is there. A clock that went backwards (another process's) refills nothing."""
    if state is None:
        state = BucketState(float(bucket.burst), now)
    elapsed = max(0.0, now - state.at)
    tokens = min(float(bucket.burst), state.tokens + elapsed * bucket.per_second)
    at = max(now, state.at)
    if tokens >= 1.0:
        return BucketState(tokens - 1.0, at), 0.0
    return BucketState(tokens, at), (1.0 - tokens) / bucket.per_second


def retry_after_seconds(wait: float) -> int:
    """``Retry-After`` is whole seconds: rounded up, at least 1."""
    return max(1, math.ceil(wait - 1e-9))


def idle_seconds(bucket: Bucket) -> float:
    """How long until an untouched bucket is full again (after that, its state can go)."""
    return bucket.burst / bucket.per_second


# -- failed password window -------------------------------------------------------------------


def window_wait(
    failures: list[float], now: float, limit: int, window: float = FAILED_PASSWORD_WINDOW_SECONDS
) -> float:
    """Given the (ascending) failure times still in the window, 0.0 if one more attempt may be
    made, else the seconds until the oldest counted failure leaves the window."""
    live = [at for at in failures if at > now - window]
    if len(live) < limit:
        return 0.0
    return live[len(live) - limit] + window - now


def username_key(username: str) -> str:
    """Usernames are unique case-insensitively (spec §3.1): ``Bob`` and ``bob`` share a window."""
    return username.casefold()
