"""What the token endpoint, the API and the password grant ask: may this request go on?

- ``token_wait(client_id)``: one token from the client's token-endpoint bucket. An unknown
  client gets no bucket (the grant refuses it anyway), so made-up client IDs cannot fill memory.
- ``api_wait(client_id)``: one token from the client's API bucket (the verified token's ``cid``).
- ``begin_password_attempt(marketplace, username)``: counts the attempt in the username's
  failure window before the password is checked, or refuses it when ``failed_per_hour``
  failures are already there; ``password_verified`` withdraws it once the password is right.
  Unknown usernames are counted alike, so the answer never tells whether a user exists.

Each returns ``None`` to go on, or the whole seconds to wait (``Retry-After``).
"""

from __future__ import annotations

import hashlib
import secrets

from gatehouse.domain.clock import Clock
from gatehouse.domain.ids import normalize_client_id
from gatehouse.domain.rate_limits import (
    FAILED_PASSWORD_WINDOW_SECONDS,
    Bucket,
    retry_after_seconds,
    username_key,
)
from gatehouse.ratelimit.config import LimitConfigCache
from gatehouse.ratelimit.counters import Counters, Reservation


class RateLimiter:
    def __init__(
        self, config: LimitConfigCache, counters: Counters, clock: Clock, failed_per_hour: int
    ) -> None:
        self.config = config
        self.counters = counters
        self._clock = clock
        self._failed_per_hour = failed_per_hour

    async def token_wait(self, client_id: str | None) -> int | None:
        if not client_id:
            return None
        client = normalize_client_id(client_id)
        found = await self.config.effective(client)
        if found is None:
            return None
        return await self._take(f"t|{client}", found.limits.token)

    async def api_wait(self, client_id: str) -> int | None:
        client = normalize_client_id(client_id)
        found = await self.config.effective(client)
        if found is None:
            return None
        return await self._take(f"a|{client}", found.limits.api)

    async def _take(self, key: str, bucket: Bucket | None) -> int | None:
        if bucket is None:
            return None
        wait = await self.counters.take(key, bucket, self._now())
        return retry_after_seconds(wait) if wait > 0 else None

    async def begin_password_attempt(
        self, marketplace_id: str, username: str
    ) -> tuple[int | None, Reservation | None]:
        """(None, reservation) to go on and check the password; (seconds, None) to refuse."""
        key = _window_key(marketplace_id, username)
        wait, reservation = await self.counters.reserve(
            key,
            secrets.token_hex(8),
            self._failed_per_hour,
            FAILED_PASSWORD_WINDOW_SECONDS,
            self._now(),
        )
        if reservation is None:
            return retry_after_seconds(wait), None
        return None, reservation

    async def password_verified(self, reservation: Reservation | None) -> None:
        """A right password is not a failure: take its attempt out of the window."""
        if reservation is not None:
            await self.counters.withdraw(reservation)

    async def close(self) -> None:
        await self.counters.close()

    def _now(self) -> float:
        return self._clock.now().timestamp()


def _window_key(marketplace_id: str, username: str) -> str:
    """A fixed-size key per (marketplace, username): usernames (up to 4 KB, maybe personal
    data) are neither kept in memory nor written to Redis as they are."""
    digest = hashlib.sha256(f"{marketplace_id}\x00{username_key(username)}".encode()).hexdigest()
    return f"p|{digest[:32]}"
