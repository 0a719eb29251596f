"""The console client of each marketplace (``console_clients``)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from gatehouse.storage.models import ConsoleClientRow, Marketplace


async def insert(session: AsyncSession, *, marketplace_id: str, api_client_id: str) -> None:
    session.add(ConsoleClientRow(marketplace_id=marketplace_id, api_client_id=api_client_id))
    await session.flush()


async def client_of(session: AsyncSession, marketplace_id: str) -> str | None:
    """The console's API client ID in this (active) marketplace, None when there is none."""
    found: str | None = await session.scalar(
        select(ConsoleClientRow.api_client_id)
        .join(Marketplace, Marketplace.id == ConsoleClientRow.marketplace_id)
        .where(ConsoleClientRow.marketplace_id == marketplace_id)
        .where(Marketplace.active.is_(True))
    )
    return found


async def only_marketplace(session: AsyncSession) -> str | None:
    """The ID of the server's one marketplace, None when it holds none or several."""
    found = (await session.scalars(select(Marketplace.id).limit(2))).all()
    return found[0] if len(found) == 1 else None
