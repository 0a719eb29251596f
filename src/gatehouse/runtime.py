"""Everything a process builds once and shares across requests: the database, the clock, the
password hasher, the signing keys and the caches read on every request."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from gatehouse.crypto import PasswordHasher
from gatehouse.domain.clock import Clock, SystemClock
from gatehouse.oauth.jwt import TokenCodec
from gatehouse.oauth.keys import KeyRing
from gatehouse.oauth.standing import TokenStandingCache
from gatehouse.ratelimit.config import LimitConfigCache
from gatehouse.ratelimit.counters import Counters, InProcessCounters, RedisCounters
from gatehouse.ratelimit.limiter import RateLimiter
from gatehouse.settings import Settings
from gatehouse.storage.db import Database
from gatehouse.storage.invalidation import PgListener, SqliteEpoch


@dataclass
class Runtime:
    settings: Settings
    db: Database
    clock: Clock = field(default_factory=SystemClock)
    hasher: PasswordHasher = field(default_factory=PasswordHasher)
    keys: KeyRing = field(init=False)
    codec: TokenCodec = field(init=False)
    standing: TokenStandingCache = field(init=False)
    listener: PgListener | None = field(init=False, default=None)
    limits: RateLimiter = field(init=False)
    subscribers: list[LimitConfigCache] = field(init=False, default_factory=list)
    """Further per-process caches that drop entries on invalidations, like ``standing``."""

    def __post_init__(self) -> None:
        self.keys = KeyRing(self.db, self.clock, self.settings.key_refresh_seconds)
        self.codec = TokenCodec(self.keys, self.clock, self.settings.effective_base_url)
        epoch = SqliteEpoch.for_url(self.db.url) if self.db.dialect == "sqlite" else None
        self.standing = TokenStandingCache(self.db, epoch)
        self.db.commit_hooks.append(self.standing.after_commit)
        self.limits = self._rate_limiter()
        self.subscribers.append(self.limits.config)
        self.db.commit_hooks.append(self.limits.config.invalidate)

    def _rate_limiter(self) -> RateLimiter:
        # Its own view of the SQLite epoch: each reader remembers what it last saw.
        epoch = SqliteEpoch.for_url(self.db.url) if self.db.dialect == "sqlite" else None
        local = InProcessCounters()
        counters: Counters = local
        if self.settings.redis_url:
            counters = RedisCounters(
                self.settings.redis_url, self.settings.redis_key_prefix, fallback=local
            )
        return RateLimiter(
            LimitConfigCache(self.db, epoch),
            counters,
            self.clock,
            self.settings.failed_passwords_per_hour,
        )

    async def start(self) -> None:
        """Per-process startup: listen for other processes' invalidations (PostgreSQL)."""
        if self.db.dialect == "postgresql":
            self.listener = PgListener(self.db.url, self._invalidated, self._reset)
            self.standing.trusted = False
            for cache in self.subscribers:
                cache.trusted = False
            await self.listener.start()

    async def stop(self) -> None:
        if self.listener is not None:
            await self.listener.stop()
        await self.limits.close()
        await self.db.dispose()

    def _invalidated(self, keys: Iterable[str]) -> None:
        """Another process's invalidation notice: every cache drops what it names."""
        found = set(keys)
        self.standing.invalidate(found)
        for cache in self.subscribers:
            cache.invalidate(found)

    def _reset(self) -> None:
        """The listener (re)connected or dropped: start over, trusting the cache only while
        it listens."""
        trusted = self.listener is not None and self.listener.connected
        self.standing.clear()
        self.standing.trusted = trusted
        for cache in self.subscribers:
            cache.clear()
            cache.trusted = trusted

    @classmethod
    def from_settings(cls, settings: Settings, clock: Clock | None = None) -> Runtime:
        db = Database(settings.effective_database_url)
        return cls(settings=settings, db=db, clock=clock or SystemClock())
