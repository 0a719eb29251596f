"""Everything a process builds once and shares across requests: the database, the clock, the
password hasher, the signing keys and the caches read on every request."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from gatehouse.crypto import PasswordHasher
from gatehouse.crypto_at_rest import SecretBox
from gatehouse.domain.clock import Clock, SystemClock
from gatehouse.oauth.client_records import ClientRecordCache
from gatehouse.oauth.grant_subjects import GrantSubjectCache
from gatehouse.oauth.jwt import TokenCodec
from gatehouse.oauth.keys import KeyRing
from gatehouse.oauth.login_records import LoginRecordCache
from gatehouse.oauth.refresh_records import RefreshTokenCache
from gatehouse.oauth.revoked import RevokedTokens
from gatehouse.oauth.standing import TokenStandingCache
from gatehouse.ratelimit.config import LimitConfigCache
from gatehouse.ratelimit.counters import Counters, InProcessCounters, RedisCounters
from gatehouse.ratelimit.limiter import RateLimiter
from gatehouse.services.audit import TokenAuditLog
from gatehouse.services.me_cache import MeCache
from gatehouse.services.registry import Services
from gatehouse.settings import Settings
from gatehouse.storage.cache import InvalidatedCache
from gatehouse.storage.cache_keys import CacheKey
from gatehouse.storage.db import Database
from gatehouse.storage.invalidation import PgListener


@dataclass
class Runtime:
    settings: Settings
    db: Database
    clock: Clock = field(default_factory=SystemClock)
    hasher: PasswordHasher = field(init=False)
    """At the settings' password hash cost (``GATEHOUSE_PASSWORD_HASH_*``)."""
    keys: KeyRing = field(init=False)
    codec: TokenCodec = field(init=False)
    standing: TokenStandingCache = field(init=False)
    client_records: ClientRecordCache = field(init=False)
    grant_subjects: GrantSubjectCache = field(init=False)
    refresh_tokens: RefreshTokenCache = field(init=False)
    """Stored refresh tokens by SHA-256 (``oauth.refresh_records``)."""
    listener: PgListener | None = field(init=False, default=None)
    audit: TokenAuditLog = field(init=False)
    limits: RateLimiter = field(init=False)
    revoked: RevokedTokens = field(init=False)
    """Access tokens revoked one by one (``/oauth/revoke``)."""
    services: Services = field(init=False)
    """The use cases, bound once to this process's database, clock and hasher."""
    me: MeCache = field(init=False)
    """What ``GET /v1/me`` returns, per user (``services.me_cache``)."""

    def __post_init__(self) -> None:
        self.hasher = PasswordHasher.from_settings(self.settings)
        self.keys = KeyRing(self.db, self.clock, self.settings.key_refresh_seconds)
        self.codec = TokenCodec(self.keys, self.clock, self.settings.effective_base_url)
        self.standing = TokenStandingCache(self.db)
        self.client_records = ClientRecordCache(self.db)
        self.grant_subjects = GrantSubjectCache(self.db)
        self.refresh_tokens = RefreshTokenCache(self.db)
        self.login_records = LoginRecordCache(self.db)
        self.limits = self._rate_limiter()
        self.revoked = RevokedTokens(self.db, self.clock)
        self.services = Services.build(self.db, self.clock, self.hasher)
        self.me = MeCache(self.db, self.services.me.get)
        for cache in self.caches:
            self.db.commit_hooks.append(cache.invalidate)
        self.audit = TokenAuditLog(
            self.db,
            self.clock,
            flush_seconds=self.settings.audit_flush_seconds,
            flush_events=self.settings.audit_flush_events,
            retention_days=self.settings.audit_retention_days,
        )

    @property
    def caches(self) -> tuple[InvalidatedCache, ...]:
        """Every cache of database state this process keeps, invalidated together (in this
        process right after a commit, in others through ``storage.invalidation``)."""
        return (
            self.standing,
            self.client_records,
            self.grant_subjects,
            self.refresh_tokens,
            self.login_records,
            self.limits.config,
            self.revoked,
            self.me,
        )

    def _rate_limiter(self) -> RateLimiter:
        local = InProcessCounters()
        counters: Counters = local
        if self.settings.redis_url:
            counters = RedisCounters(
                self.settings.redis_url, self.settings.redis_key_prefix, fallback=local
            )
        return RateLimiter(
            LimitConfigCache(self.db),
            counters,
            self.clock,
            self.settings.failed_passwords_per_hour,
        )

    async def start(self) -> None:
        """Per-process startup: listen for other processes' invalidations (PostgreSQL), and
        flush buffered token audit events in the background."""
        self.audit.start()
        if self.db.dialect == "postgresql":
            self.listener = PgListener(
                self.db.url, self._invalidate, self._reset, self.db.lockout.moved
            )
            for cache in self.caches:
                cache.trusted = False
            await self.listener.start()

    async def stop(self) -> None:
        await self.audit.stop()
        if self.listener is not None:
            await self.listener.stop()
        await self.limits.close()
        await self.db.dispose()

    def _invalidate(self, keys: Iterable[CacheKey]) -> None:
        found = set(keys)
        for cache in self.caches:
            cache.invalidate(found)

    def _reset(self) -> None:
        """The listener (re)connected or dropped: start over, trusting the caches only while
        it listens."""
        listening = self.listener is not None and self.listener.connected
        for cache in self.caches:
            cache.clear()
            cache.trusted = listening

    @property
    def secret_box(self) -> SecretBox:
        """Encrypts secrets at rest with the deployment's key-encryption key."""
        return self.db.secret_box

    @classmethod
    def from_settings(cls, settings: Settings, clock: Clock | None = None) -> Runtime:
        url = settings.effective_database_url
        box = SecretBox.from_settings(settings, url)
        db = Database(url, box)
        return cls(settings=settings, db=db, clock=clock or SystemClock())
