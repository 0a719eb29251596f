"""Buyer and supplier lookups. Their full resources arrive with the parties issue; the
assignment code already checks existence through these."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from gatehouse.storage.models import BuyerRow, SupplierRow


async def buyer_exists(session: AsyncSession, *, marketplace_id: str, buyer_id: str) -> bool:
    found = await session.scalar(
        select(BuyerRow.id).where(
            BuyerRow.marketplace_id == marketplace_id, BuyerRow.id == buyer_id
        )
    )
    return found is not None


async def supplier_exists(session: AsyncSession, *, marketplace_id: str, supplier_id: str) -> bool:
    found = await session.scalar(
        select(SupplierRow.id).where(
            SupplierRow.marketplace_id == marketplace_id, SupplierRow.id == supplier_id
        )
    )
    return found is not None


async def company_active(
    session: AsyncSession, *, marketplace_id: str, user_type: str, company_id: str
) -> bool:
    model = BuyerRow if user_type == "buyer" else SupplierRow
    active = await session.scalar(
        select(model.active).where(model.marketplace_id == marketplace_id, model.id == company_id)
    )
    return bool(active)
