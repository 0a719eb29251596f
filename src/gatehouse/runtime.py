"""Everything a process builds once and shares across requests: the database, the clock, the
password hasher, the signing keys and the caches read on every request."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from gatehouse.crypto import PasswordHasher
from gatehouse.domain.clock import Clock, SystemClock
from gatehouse.oauth.client_records import ClientRecordCache
from gatehouse.oauth.jwt import TokenCodec
from gatehouse.oauth.keys import KeyRing
from gatehouse.oauth.standing import InvalidatedCache, TokenStandingCache
from gatehouse.services.audit import TokenAuditLog
from gatehouse.settings import Settings
from gatehouse.storage.db import Database
from gatehouse.storage.invalidation import PgListener


@dataclass
class Runtime:
    settings: Settings
    db: Database
    clock: Clock = field(default_factory=SystemClock)
    hasher: PasswordHasher = field(default_factory=PasswordHasher)
    keys: KeyRing = field(init=False)
    codec: TokenCodec = field(init=False)
    standing: TokenStandingCache = field(init=False)
    client_records: ClientRecordCache = field(init=False)
    listener: PgListener | None = field(init=False, default=None)
    audit: TokenAuditLog = field(init=False)

    def __post_init__(self) -> None:
        self.keys = KeyRing(self.db, self.clock, self.settings.key_refresh_seconds)
        self.codec = TokenCodec(self.keys, self.clock, self.settings.effective_base_url)
        self.standing = TokenStandingCache(self.db)
        self.client_records = ClientRecordCache(self.db)
        for cache in self.caches:
            self.db.commit_hooks.append(cache.after_commit)
        self.audit = TokenAuditLog(
            self.db,
            self.clock,
            flush_seconds=self.settings.audit_flush_seconds,
            flush_events=self.settings.audit_flush_events,
            retention_days=self.settings.audit_retention_days,
        )

    @property
    def caches(self) -> tuple[InvalidatedCache, ...]:
        """Every cache of database state this process keeps, invalidated together."""
        return (self.standing, self.client_records)

    async def start(self) -> None:
        """Per-process startup: listen for other processes' invalidations (PostgreSQL), and
        flush buffered token audit events in the background."""
        self.audit.start()
        if self.db.dialect == "postgresql":
            self.listener = PgListener(self.db.url, self._invalidate, self._reset)
            for cache in self.caches:
                cache.trusted = False
            await self.listener.start()

    async def stop(self) -> None:
        await self.audit.stop()
        if self.listener is not None:
            await self.listener.stop()
        await self.db.dispose()

    def _invalidate(self, keys: Iterable[str]) -> None:
        for cache in self.caches:
            cache.invalidate(keys)

    def _reset(self) -> None:
        """The listener (re)connected or dropped: start over, trusting the caches only while
        it listens."""
        listening = self.listener is not None and self.listener.connected
        for cache in self.caches:
            cache.clear()
            cache.trusted = listening

    @classmethod
    def from_settings(cls, settings: Settings, clock: Clock | None = None) -> Runtime:
        db = Database(settings.effective_database_url)
        return cls(settings=settings, db=db, clock=clock or SystemClock())
