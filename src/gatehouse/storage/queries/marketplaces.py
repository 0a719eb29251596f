"""Marketplace rows: the tenant every other row belongs to."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from gatehouse.storage.models import Marketplace


async def any_exists(session: AsyncSession) -> bool:
    return await session.scalar(select(Marketplace.id).limit(1)) is not None


async def insert(session: AsyncSession, *, marketplace_id: str, name: str, now: datetime) -> None:
    session.add(Marketplace(id=marketplace_id, name=name, active=True, created_at=now))
    await session.flush()
