"""Per-process cache of what decides whether a signed token still stands (spec §3.11).

Token verification is a hot path: after the signature check it must know whether the token's
client, user, company and marketplace are still there and active, and whether the user has
revoked their tokens, without a query per request. This cache holds that state per subject,
loads a subject once (one small query) and drops it when a write invalidates it, in this
process at once and in every other process through ``storage.invalidation``.

A load that races an invalidation is not kept: each invalidation bumps ``_generation``, and a
loaded value is stored only if no invalidation happened while it was being read, so a stale
row read just before a concurrent commit cannot outlive that commit's invalidation.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from gatehouse.domain.token_standing import (
    ClientState,
    CompanyKey,
    Impersonator,
    Standing,
    UserState,
    company_key,
    token_standing,
)
from gatehouse.domain.users import UserType
from gatehouse.storage.db import Database
from gatehouse.storage.epoch import SqliteEpoch
from gatehouse.storage.invalidation import EVERYTHING
from gatehouse.storage.queries import token_state

_USER_TYPES = {kind.value for kind in UserType}
K = TypeVar("K")
V = TypeVar("V")


@dataclass(frozen=True, slots=True)
class Verdict:
    standing: Standing
    client: ClientState | None
    user: UserState | None


class InvalidatedCache:
    """What every per-process cache of database state shares: a generation counter (so a load
    racing an invalidation is not kept), the ``trusted`` flag, and the SQLite epoch check.

    Subclasses keep their entries in dicts listed by ``_maps`` and drop keys in ``_drop``.
    """

    MAX_ENTRIES = 100_000

    def __init__(self, db: Database) -> None:
        self._db = db
        self._epoch: SqliteEpoch | None = None
        if db.epoch is not None:
            # Its own reader of the shared epoch: each reader notices each change once.
            self._epoch = db.epoch.reader()
        self._generation = 0
        self.trusted = True
        """False while invalidations from other processes could be missed (the PostgreSQL
        listener is down): every lookup then reads the database."""

    def _maps(self) -> tuple[dict[Any, Any], ...]:
        raise NotImplementedError

    def _drop(self, key: str) -> None:
        raise NotImplementedError

    def invalidate(self, keys: Iterable[str]) -> None:
        self._generation += 1
        for key in keys:
            if key == EVERYTHING:
                self.clear()
            else:
                self._drop(key)

    def clear(self) -> None:
        self._generation += 1
        for cache in self._maps():
            cache.clear()

    def _poll_epoch(self) -> None:
        if self._epoch is not None and self._epoch.changed():
            self.clear()

    async def _cached(
        self, cache: dict[K, V], key: K, load: Callable[[K], Awaitable[V | None]]
    ) -> V | None:
        if self.trusted and key in cache:
            return cache[key]
        generation = self._generation
        value = await load(key)
        # Missing subjects are not cached: an id or username may come (back) later.
        if value is not None and self.trusted and generation == self._generation:
            if len(cache) >= self.MAX_ENTRIES:
                cache.clear()
            cache[key] = value
        return value


class TokenStandingCache(InvalidatedCache):
    def __init__(self, db: Database) -> None:
        super().__init__(db)
        self._clients: dict[str, ClientState] = {}
        self._users: dict[tuple[str, int], UserState] = {}
        self._templates: dict[tuple[str, str], UserState] = {}
        self._companies: dict[CompanyKey, bool] = {}

    def _maps(self) -> tuple[dict[Any, Any], ...]:
        return (self._clients, self._users, self._templates, self._companies)

    def _drop(self, key: str) -> None:
        kind, _, rest = key.partition("|")
        if kind == "c":
            self._clients.pop(rest, None)
        elif kind == "u":
            marketplace_id, _, internal = rest.partition("|")
            if internal.isdigit():
                self._users.pop((marketplace_id, int(internal)), None)
                # Templates are cached by username; drop any with this id (few entries).
                for name, state in list(self._templates.items()):
                    if state.internal_id == int(internal):
                        self._templates.pop(name, None)
        elif kind == "o":
            marketplace_id, user_type, company_id = [*rest.split("|", 2), "", ""][:3]
            if user_type in _USER_TYPES:
                found = CompanyKey(marketplace_id, UserType(user_type), company_id)
                self._companies.pop(found, None)

    # -- verification -------------------------------------------------------------------------

    async def verdict(self, claims: dict[str, Any]) -> Verdict:
        """The standing of a token whose signature and lifetime already checked out."""
        self._poll_epoch()
        client_id = str(claims.get("cid", "")).lower()
        client = await self._cached(self._clients, client_id, self._load_client)
        if client is None:
            return Verdict(Standing.INVALID, None, None)
        user = await self._token_user(client.marketplace_id, claims)
        company: bool | None = None
        key = company_key(user) if user is not None else None
        if key is not None:
            company = await self._cached(self._companies, key, self._load_company)
        impersonator = await self._impersonator(client.marketplace_id, claims)
        standing = token_standing(claims, client, user, company, impersonator)
        return Verdict(standing, client, user)

    async def marketplace_of(self, client_id: str) -> str | None:
        """The marketplace of an existing client (for tokens passed other than as bearer)."""
        self._poll_epoch()
        client = await self._cached(self._clients, client_id.lower(), self._load_client)
        return client.marketplace_id if client is not None else None

    async def _impersonator(
        self, marketplace_id: str, claims: dict[str, Any]
    ) -> Impersonator | None:
        internal = claims.get("imp")
        if not (isinstance(internal, str) and internal.isdigit()):
            return None
        user = await self._cached(self._users, (marketplace_id, int(internal)), self._load_user)
        key = company_key(user) if user is not None else None
        company = None
        if key is not None:
            company = await self._cached(self._companies, key, self._load_company)
        return Impersonator(user, company)

    async def _token_user(self, marketplace_id: str, claims: dict[str, Any]) -> UserState | None:
        internal = claims.get("u")
        if isinstance(internal, str) and internal.isdigit():
            return await self._cached(self._users, (marketplace_id, int(internal)), self._load_user)
        if "u" in claims:
            return None
        # Anonymous tokens name only their template user, by username (spec §3.9).
        name = (marketplace_id, str(claims.get("usr", "")).casefold())
        return await self._cached(self._templates, name, self._load_template)

    async def _load_client(self, client_id: str) -> ClientState | None:
        async with self._db.read() as session:
            return await token_state.client_state(session, client_id)

    async def _load_user(self, key: tuple[str, int]) -> UserState | None:
        async with self._db.read() as session:
            return await token_state.user_state(session, *key)

    async def _load_template(self, key: tuple[str, str]) -> UserState | None:
        async with self._db.read() as session:
            return await token_state.user_state_by_username(session, *key)

    async def _load_company(self, key: CompanyKey) -> bool | None:
        async with self._db.read() as session:
            return await token_state.company_active(session, key)
