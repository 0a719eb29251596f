"""The per-client allowed origins (``api_clients.allowed_origins``, Gatehouse's own)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from gatehouse.storage.models import ApiClientRow


async def allowed(session: AsyncSession, *, client_id: str) -> tuple[str, ...]:
    found = await session.scalar(
        select(ApiClientRow.allowed_origins).where(ApiClientRow.id == client_id)
    )
    return tuple(found or ())


async def set_allowed(
    session: AsyncSession, *, marketplace_id: str, client_id: str, origins: Sequence[str]
) -> bool:
    """Replace the list (empty: NULL, any origin); False when the client is not there."""
    result = await session.execute(
        update(ApiClientRow)
        .where(ApiClientRow.marketplace_id == marketplace_id, ApiClientRow.id == client_id)
        .values(allowed_origins=list(origins) or None)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def by_client(session: AsyncSession, *, marketplace_id: str) -> dict[str, tuple[str, ...]]:
    """client ID → its list, for the clients of a marketplace that have one."""
    stmt = select(ApiClientRow.id, ApiClientRow.allowed_origins).where(
        ApiClientRow.marketplace_id == marketplace_id, ApiClientRow.allowed_origins.is_not(None)
    )
    return {cid: tuple(found or ()) for cid, found in (await session.execute(stmt)).all()}
