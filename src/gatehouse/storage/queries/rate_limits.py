"""Rate limit rows: a client's own limits and its marketplace's default (``domain.rate_limits``).

``effective`` is what the per-process limit cache loads: one indexed query per client, run
only when the cache misses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from gatehouse.domain.rate_limits import UNLIMITED, RateLimits
from gatehouse.storage.models import (
    ApiClientRow,
    ClientRateLimitRow,
    MarketplaceRateLimitRow,
)


@dataclass(frozen=True, slots=True)
class EffectiveLimits:
    """An existing client's marketplace and the limits that apply to it."""

    marketplace_id: str
    limits: RateLimits
    own: bool
    """Whether they are the client's own (else the marketplace default, or unlimited)."""


def _limits(row: ClientRateLimitRow | MarketplaceRateLimitRow) -> RateLimits:
    return RateLimits(row.token_per_minute, row.token_burst, row.api_per_minute, row.api_burst)


def _values(limits: RateLimits) -> dict[str, int | None]:
    return {
        "token_per_minute": limits.token_per_minute,
        "token_burst": limits.token_burst,
        "api_per_minute": limits.api_per_minute,
        "api_burst": limits.api_burst,
    }


async def effective(session: AsyncSession, client_id: str) -> EffectiveLimits | None:
    """``None`` when no such client exists."""
    found = (
        await session.execute(
            select(ApiClientRow.marketplace_id, ClientRateLimitRow, MarketplaceRateLimitRow)
            .outerjoin(ClientRateLimitRow, ClientRateLimitRow.api_client_id == ApiClientRow.id)
            .outerjoin(
                MarketplaceRateLimitRow,
                MarketplaceRateLimitRow.marketplace_id == ApiClientRow.marketplace_id,
            )
            .where(ApiClientRow.id == client_id)
        )
    ).first()
    if found is None:
        return None
    marketplace_id, own, default = found
    if own is not None:
        return EffectiveLimits(marketplace_id, _limits(own), True)
    return EffectiveLimits(
        marketplace_id, UNLIMITED if default is None else _limits(default), False
    )


async def client_limits(session: AsyncSession, client_id: str) -> RateLimits | None:
    row = await session.get(ClientRateLimitRow, client_id)
    return None if row is None else _limits(row)


async def marketplace_limits(session: AsyncSession, marketplace_id: str) -> RateLimits | None:
    row = await session.get(MarketplaceRateLimitRow, marketplace_id)
    return None if row is None else _limits(row)


async def put_client_limits(
    session: AsyncSession,
    *,
    marketplace_id: str,
    client_id: str,
    limits: RateLimits,
    now: datetime,
) -> None:
    """Insert or replace; the caller holds the client's row lock, so no two writers race."""
    row = await session.get(ClientRateLimitRow, client_id)
    if row is None:
        session.add(
            ClientRateLimitRow(
                api_client_id=client_id,
                marketplace_id=marketplace_id,
                updated_at=now,
                **_values(limits),
            )
        )
    else:
        for name, value in _values(limits).items():
            setattr(row, name, value)
        row.updated_at = now
    await session.flush()


async def delete_client_limits(session: AsyncSession, client_id: str) -> bool:
    result = await session.execute(
        delete(ClientRateLimitRow).where(ClientRateLimitRow.api_client_id == client_id)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def put_marketplace_limits(
    session: AsyncSession, *, marketplace_id: str, limits: RateLimits, now: datetime
) -> None:
    """Insert or replace; the caller holds the marketplace's row lock."""
    row = await session.get(MarketplaceRateLimitRow, marketplace_id)
    if row is None:
        session.add(
            MarketplaceRateLimitRow(
                marketplace_id=marketplace_id, updated_at=now, **_values(limits)
            )
        )
    else:
        for name, value in _values(limits).items():
            setattr(row, name, value)
        row.updated_at = now
    await session.flush()
