"""Rate limit configuration (Gatehouse's own): a client's limits and the marketplace default.

Every write records an invalidation in its transaction, so every process's limit cache
(``ratelimit.config``) drops the old values as soon as the change commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from gatehouse.domain.errors import NotFoundError
from gatehouse.domain.ids import normalize_client_id
from gatehouse.domain.rate_limits import UNLIMITED, RateLimits, validate_limits
from gatehouse.ratelimit.config import client_limits_key, marketplace_limits_key
from gatehouse.storage.invalidation import invalidate
from gatehouse.storage.queries import api_client_secrets as clients_q
from gatehouse.storage.queries import rate_limits as limits_q
from gatehouse.storage.queries.marketplaces import lock_marketplace

if TYPE_CHECKING:
    from gatehouse.services.registry import ServiceDeps

CLIENT = "ApiClient"
SOURCE_CLIENT = "ApiClient"
SOURCE_MARKETPLACE = "Marketplace"


@dataclass(frozen=True, slots=True)
class ClientLimitsView:
    """The limits that apply to a client and where they come from."""

    limits: RateLimits
    source: str


class RateLimitService:
    """Rate limit configuration: a client's own limits and the marketplace default."""

    def __init__(self, deps: ServiceDeps) -> None:
        self._db = deps.db
        self._clock = deps.clock

    async def get_client(self, marketplace_id: str, client_id: str) -> ClientLimitsView:
        async with self._db.read() as session:
            client = await _require_client(session, marketplace_id, client_id, lock=False)
            return await _view(session, marketplace_id, client)

    async def put_client(
        self, marketplace_id: str, client_id: str, limits: RateLimits
    ) -> ClientLimitsView:
        checked = validate_limits(limits)
        async with self._db.write() as session:
            client = await _require_client(session, marketplace_id, client_id, lock=True)
            await limits_q.put_client_limits(
                session,
                marketplace_id=marketplace_id,
                client_id=client,
                limits=checked,
                now=self._clock.now(),
            )
            await invalidate(session, client_limits_key(client))
        return ClientLimitsView(checked, SOURCE_CLIENT)

    async def delete_client(self, marketplace_id: str, client_id: str) -> None:
        """Back to the marketplace default; deleting limits a client does not have is a no-op."""
        async with self._db.write() as session:
            client = await _require_client(session, marketplace_id, client_id, lock=True)
            if await limits_q.delete_client_limits(session, client):
                await invalidate(session, client_limits_key(client))

    async def get_marketplace(self, marketplace_id: str) -> RateLimits:
        async with self._db.read() as session:
            return await limits_q.marketplace_limits(session, marketplace_id) or UNLIMITED

    async def put_marketplace(self, marketplace_id: str, limits: RateLimits) -> RateLimits:
        checked = validate_limits(limits)
        async with self._db.write() as session:
            await lock_marketplace(session, marketplace_id)
            await limits_q.put_marketplace_limits(
                session, marketplace_id=marketplace_id, limits=checked, now=self._clock.now()
            )
            await invalidate(session, marketplace_limits_key(marketplace_id))
        return checked


async def _view(session: AsyncSession, marketplace_id: str, client_id: str) -> ClientLimitsView:
    own = await limits_q.client_limits(session, client_id)
    if own is not None:
        return ClientLimitsView(own, SOURCE_CLIENT)
    default = await limits_q.marketplace_limits(session, marketplace_id)
    return ClientLimitsView(default or UNLIMITED, SOURCE_MARKETPLACE)


async def _require_client(
    session: AsyncSession, marketplace_id: str, client_id: str, *, lock: bool
) -> str:
    """The stored (lowercase) client ID; 404 ``NotFound`` ApiClient when it is not in this
    marketplace (another marketplace's client is not revealed)."""
    normalized = normalize_client_id(client_id)
    if len(normalized) > 100 or not await clients_q.client_exists(
        session, marketplace_id=marketplace_id, client_id=normalized, lock=lock
    ):
        raise NotFoundError(CLIENT, client_id)
    return normalized
