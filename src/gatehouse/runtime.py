"""Everything a process builds once and shares across requests: the database, the clock, the
password hasher, the signing keys and the caches read on every request."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from gatehouse.crypto import PasswordHasher
from gatehouse.domain.clock import Clock, SystemClock
from gatehouse.oauth.jwt import TokenCodec
from gatehouse.oauth.keys import KeyRing
from gatehouse.settings import Settings
from gatehouse.storage.db import Database
from gatehouse.storage.models import ApiClientRow


class ClientDirectory:
    """Which marketplace a client ID belongs to, cached for the life of the process.

    The mapping never changes (client IDs are server-made GUIDs, never reused), so the cache
    needs no invalidation; it saves a query on every authenticated request.
    """

    MAX_ENTRIES = 100_000

    def __init__(self, db: Database) -> None:
        self._db = db
        self._marketplaces: dict[str, str] = {}

    async def marketplace_of(self, client_id: str) -> str | None:
        found = self._marketplaces.get(client_id)
        if found is not None:
            return found
        async with self._db.read() as session:
            found = await session.scalar(
                select(ApiClientRow.marketplace_id).where(ApiClientRow.id == client_id)
            )
        if found is not None:
            if len(self._marketplaces) >= self.MAX_ENTRIES:
                self._marketplaces.clear()
            self._marketplaces[client_id] = found
        return found


@dataclass
class Runtime:
    settings: Settings
    db: Database
    clock: Clock = field(default_factory=SystemClock)
    hasher: PasswordHasher = field(default_factory=PasswordHasher)
    keys: KeyRing = field(init=False)
    codec: TokenCodec = field(init=False)
    clients: ClientDirectory = field(init=False)

    def __post_init__(self) -> None:
        self.keys = KeyRing(self.db, self.clock, self.settings.key_refresh_seconds)
        self.codec = TokenCodec(self.keys, self.clock, self.settings.effective_base_url)
        self.clients = ClientDirectory(self.db)

    @classmethod
    def from_settings(cls, settings: Settings, clock: Clock | None = None) -> Runtime:
        db = Database(settings.effective_database_url)
        return cls(settings=settings, db=db, clock=clock or SystemClock())
