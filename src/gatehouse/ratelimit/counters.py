"""Where the counts live: in this process (the default), or in Redis
(``GATEHOUSE_REDIS_URL``) so every process shares one bucket per client and one failure window
per username.

Both stores do the same arithmetic (``domain.rate_limits``); in Redis each operation is one
atomic Lua script, so concurrent processes never both take the last token. Times come from
the process's clock (``Runtime.clock``), in milliseconds in Redis: processes sharing a Redis
must have synchronised clocks (NTP), as they already must for token expiry.

If Redis cannot be reached, Gatehouse fails open *to the process*: the operation falls back
to the in-process counters (limits still hold per process) and a warning is logged at most
once every ``WARN_EVERY_SECONDS``; Redis is tried again after ``RETRY_SECONDS``. Nothing is
ever refused because Redis is down.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any, Protocol

from gatehouse.domain.rate_limits import (
    Bucket,
    BucketState,
    idle_seconds,
    take,
    window_wait,
)

logger = logging.getLogger("gatehouse.ratelimit")


@dataclass(frozen=True, slots=True)
class Reservation:
    """A counted password attempt, to be withdrawn if the password turns out right."""

    key: str
    member: str
    at: float
    in_redis: bool


class Counters(Protocol):
    async def take(self, key: str, bucket: Bucket, now: float) -> float:
        """Take one token; 0.0, or the seconds until one is there."""
        ...

    async def reserve(
        self, key: str, member: str, limit: int, window: float, now: float
    ) -> tuple[float, Reservation | None]:
        """Count one attempt in the sliding window unless ``limit`` are already there:
        (0.0, reservation), or (seconds until one leaves the window, None)."""
        ...

    async def withdraw(self, reservation: Reservation) -> None: ...

    async def close(self) -> None: ...


class InProcessCounters:
    """Plain dictionaries, bounded: only existing clients get buckets, and at most
    ``MAX_WINDOWS`` usernames (known or not) have a failure window. When the windows are full,
    expired ones go first, then the oldest; a deployment that must hold the limit against
    floods of distinct usernames uses Redis (whose keys expire on their own)."""

    MAX_BUCKETS = 100_000
    MAX_WINDOWS = 100_000

    def __init__(self) -> None:
        self._buckets: dict[str, tuple[BucketState, float]] = {}
        # Per key, the attempts counted: member → time, in the order they were counted. A dict
        # makes a right password's withdrawal O(1): one user signing in on many connections at
        # once (an integration's user) holds as many attempts as it has logins in flight.
        self._windows: dict[str, dict[str, float]] = {}

    def sizes(self) -> tuple[int, int]:
        """(buckets, failure windows) held: for tests and bounds."""
        return len(self._buckets), len(self._windows)

    async def take(self, key: str, bucket: Bucket, now: float) -> float:
        found = self._buckets.get(key)
        if found is None and len(self._buckets) >= self.MAX_BUCKETS:
            self._sweep_buckets(now)
        state, wait = take(found[0] if found else None, bucket, now)
        self._buckets[key] = (state, idle_seconds(bucket))
        return wait

    def _sweep_buckets(self, now: float) -> None:
        """Drop buckets that are full again (forgetting them changes nothing)."""
        for key, (state, idle) in list(self._buckets.items()):
            if state.at + idle <= now:
                del self._buckets[key]
        if len(self._buckets) >= self.MAX_BUCKETS:
            self._buckets.clear()

    async def reserve(
        self, key: str, member: str, limit: int, window: float, now: float
    ) -> tuple[float, Reservation | None]:
        entries = self._windows.get(key)
        if entries is None:
            if len(self._windows) >= self.MAX_WINDOWS:
                self._sweep_windows(now, window)
            entries = self._windows[key] = {}
        else:
            _drop_expired(entries, now - window)
        if len(entries) >= limit:  # else fewer than ``limit`` can be live: no need to look
            wait = window_wait(list(entries.values()), now, limit, window)
            if wait > 0:
                return wait, None
        entries[member] = now
        return 0.0, Reservation(key, member, now, in_redis=False)

    def _sweep_windows(self, now: float, window: float) -> None:
        for key, entries in list(self._windows.items()):
            if not entries or next(reversed(entries.values())) <= now - window:
                del self._windows[key]
        excess = len(self._windows) - self.MAX_WINDOWS + 1
        for key in list(self._windows)[: max(0, excess)]:
            del self._windows[key]

    async def withdraw(self, reservation: Reservation) -> None:
        entries = self._windows.get(reservation.key)
        if entries is None:
            return
        entries.pop(reservation.member, None)
        if not entries:
            del self._windows[reservation.key]

    async def close(self) -> None:
        return None


def _drop_expired(entries: dict[str, float], cutoff: float) -> None:
    """Forget the attempts counted at or before ``cutoff``, oldest first. Attempts are kept in
    the order counted, so the expired ones lead; on a clock that stepped back, one may stay
    behind a newer attempt until that expires too, and ``window_wait`` skips it meanwhile."""
    expired = []
    for member, at in entries.items():
        if at > cutoff:
            break
        expired.append(member)
    for member in expired:
        del entries[member]


# KEYS[1] bucket hash; ARGV: now (ms), per minute, burst. Returns 0 or the wait in ms.
TOKEN_BUCKET_LUA = """
local now = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local burst = tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 't', 'at')
local tokens = tonumber(state[1])
local at = tonumber(state[2])
if tokens == nil or at == nil then
  tokens = burst
  at = now
end
if now > at then
  tokens = tokens + (now - at) * rate / 60000
  at = now
end
if tokens > burst then tokens = burst end
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = math.ceil((1 - tokens) * 60000 / rate)
end
redis.call('HSET', KEYS[1], 't', tostring(tokens), 'at', tostring(at))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 60000 / rate) + 60000)
return wait
"""

# KEYS[1] sorted set of attempts; ARGV: now (ms), window (ms), limit, member.
# Returns 0 (counted) or the wait in ms until the oldest counted attempt leaves the window.
FAILURE_WINDOW_LUA = """
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
if count >= limit then
  local oldest = redis.call('ZRANGE', KEYS[1], count - limit, count - limit, 'WITHSCORES')
  local wait = tonumber(oldest[2]) + window - now
  if wait < 1 then wait = 1 end
  return wait
end
redis.call('ZADD', KEYS[1], now, ARGV[4])
redis.call('PEXPIRE', KEYS[1], window)
return 0
"""


class RedisCounters:
    """Counters shared through Redis, falling back to ``fallback`` while Redis is away."""

    RETRY_SECONDS = 5.0
    WARN_EVERY_SECONDS = 30.0
    TIMEOUT_SECONDS = 0.5

    def __init__(self, url: str, prefix: str, fallback: InProcessCounters) -> None:
        try:
            import redis.asyncio as aioredis
        except ImportError as exc:  # pragma: no cover - depends on the installation
            raise RuntimeError(
                "GATEHOUSE_REDIS_URL is set but the redis package is missing: "
                "pip install 'gatehouse[redis]'"
            ) from exc
        self._client: Any = aioredis.from_url(
            url,
            socket_connect_timeout=self.TIMEOUT_SECONDS,
            socket_timeout=self.TIMEOUT_SECONDS,
        )
        self._bucket_script: Any = self._client.register_script(TOKEN_BUCKET_LUA)
        self._window_script: Any = self._client.register_script(FAILURE_WINDOW_LUA)
        self._prefix = prefix
        self._fallback = fallback
        self._down_until = 0.0
        self._warned_at: float | None = None

    def key(self, key: str) -> str:
        return f"{self._prefix}{key}"

    async def take(self, key: str, bucket: Bucket, now: float) -> float:
        if self._usable():
            try:
                wait_ms = await self._bucket_script(
                    keys=[self.key(f"tb|{key}")],
                    args=[_ms(now), bucket.per_minute, bucket.burst],
                )
                return int(wait_ms) / 1000.0
            except Exception as exc:  # any Redis failure: fail open
                self._failed(exc)
        return await self._fallback.take(key, bucket, now)

    async def reserve(
        self, key: str, member: str, limit: int, window: float, now: float
    ) -> tuple[float, Reservation | None]:
        if self._usable():
            try:
                wait_ms = await self._window_script(
                    keys=[self.key(f"fw|{key}")],
                    args=[_ms(now), _ms(window), limit, member],
                )
                if int(wait_ms) > 0:
                    return int(wait_ms) / 1000.0, None
                return 0.0, Reservation(key, member, now, in_redis=True)
            except Exception as exc:
                self._failed(exc)
        return await self._fallback.reserve(key, member, limit, window, now)

    async def withdraw(self, reservation: Reservation) -> None:
        if not reservation.in_redis:
            await self._fallback.withdraw(reservation)
            return
        try:
            await self._client.zrem(self.key(f"fw|{reservation.key}"), reservation.member)
        except Exception as exc:  # it then stays counted: harmless
            self._failed(exc)

    async def close(self) -> None:
        await self._client.aclose()

    def _usable(self) -> bool:
        return time.monotonic() >= self._down_until

    def _failed(self, exc: Exception) -> None:
        now = time.monotonic()
        self._down_until = now + self.RETRY_SECONDS
        if self._warned_at is None or now - self._warned_at >= self.WARN_EVERY_SECONDS:
            self._warned_at = now
            logger.warning(
                "rate limit counters: Redis unavailable (%s); using this process's counters",
                type(exc).__name__,
            )


def _ms(seconds: float) -> int:
    return int(seconds * 1000)
