"""Per-process set of access tokens revoked one by one (RFC 7009), so that checking a token
against it costs no query when warm.

The whole set of unexpired revoked ``jti``s is held in memory (it is bounded by how many
tokens are revoked within one access-token lifetime). A revocation invalidates
``storage.cache_keys.REVOKED_TOKENS``: this process reloads at its next verification, other
processes through ``storage.invalidation`` (PostgreSQL ``NOTIFY``, the SQLite epoch), exactly
as the revocation thresholds of users and clients do. A load racing an invalidation is not kept.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from gatehouse.domain.clock import Clock
from gatehouse.domain.token_standing import Standing
from gatehouse.oauth.standing import TokenStandingCache, Verdict
from gatehouse.storage.cache import InvalidatedCache
from gatehouse.storage.cache_keys import REVOKED_TOKENS, CacheKey
from gatehouse.storage.db import Database
from gatehouse.storage.queries import revoked_tokens


class RevokedTokens(InvalidatedCache):
    def __init__(self, db: Database, clock: Clock) -> None:
        super().__init__(db)
        self._clock = clock
        self._jtis: frozenset[str] | None = None

    def clear(self) -> None:
        self._generation += 1
        self._jtis = None

    def _drop(self, key: CacheKey) -> None:
        if key == REVOKED_TOKENS:
            self._jtis = None

    async def is_revoked(self, jti: object) -> bool:
        """Whether this token id was revoked (tokens without a ``jti`` never are)."""
        if not isinstance(jti, str):
            return False
        self._poll_epoch()
        jtis = self._jtis if self.trusted else None
        if jtis is None:
            generation = self._generation
            now = int(self._clock.now().timestamp())
            async with self._db.read() as session:
                jtis = await revoked_tokens.live_jtis(session, now)
            if self.trusted and generation == self._generation:
                self._jtis = jtis
        return jti in jtis


async def verdict_of(
    standing: TokenStandingCache, revoked: RevokedTokens, claims: dict[str, Any]
) -> Verdict:
    """The standing of a verified token: its subjects' state (``TokenStandingCache``), then
    whether it was revoked by itself."""
    verdict = await standing.verdict(claims)
    if verdict.standing is Standing.VALID and await revoked.is_revoked(claims.get("jti")):
        return replace(verdict, standing=Standing.REVOKED)
    return verdict
