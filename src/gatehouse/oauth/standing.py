"""Per-process cache of what decides whether a signed token still stands (spec §3.11).

Token verification is a hot path: after the signature check it must know whether the token's
client, user, company and marketplace are still there and active, and whether the user has
revoked their tokens, without a query per request. This cache holds that state per subject,
loads a subject once (one small query) and drops it when a write invalidates it, in this
process at once and in every other process through ``storage.invalidation``.

A load that races an invalidation is not kept (``storage.cache.InvalidatedCache``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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
from gatehouse.storage.cache import InvalidatedCache
from gatehouse.storage.cache_keys import CacheKey, KeyKind
from gatehouse.storage.db import Database
from gatehouse.storage.queries import token_state

_USER_TYPES = {kind.value for kind in UserType}


@dataclass(frozen=True, slots=True)
class Verdict:
    standing: Standing
    client: ClientState | None
    user: UserState | None


class TokenStandingCache(InvalidatedCache):
    def __init__(self, db: Database) -> None:
        super().__init__(db)
        self._clients: dict[str, ClientState] = {}
        self._users: dict[tuple[str, int], UserState] = {}
        self._templates: dict[tuple[str, str], UserState] = {}
        self._companies: dict[CompanyKey, bool] = {}

    def _maps(self) -> tuple[dict[Any, Any], ...]:
        return (self._clients, self._users, self._templates, self._companies)

    def _drop(self, key: CacheKey) -> None:
        if key.kind is KeyKind.CLIENT:
            self._clients.pop(key.parts[0], None)
        elif key.kind is KeyKind.USER:
            marketplace_id, internal = key.parts[0], key.user_internal_id
            self._users.pop((marketplace_id, internal), None)
            # Templates are cached by username; drop any with this id (few entries).
            for name, state in list(self._templates.items()):
                if state.internal_id == internal:
                    self._templates.pop(name, None)
        elif key.kind is KeyKind.COMPANY:
            marketplace_id, user_type, company_id = key.parts
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
