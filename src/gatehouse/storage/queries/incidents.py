"""The rows incident response touches on one API client: its revocation threshold and its
refresh tokens (``services.incidents``)."""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from gatehouse.storage.models import ApiClientRow, RefreshTokenRow


async def client_marketplace(session: AsyncSession, *, client_id: str) -> str | None:
    """The marketplace of a (normalised) client ID, ``None`` when no marketplace has it."""
    return await session.scalar(
        select(ApiClientRow.marketplace_id).where(ApiClientRow.id == client_id)
    )


async def lock_tokens_valid_from(
    session: AsyncSession, *, marketplace_id: str, client_id: str
) -> int | None:
    """The client's current threshold, its row locked until the transaction ends so two
    revocations cannot both read the old one; ``None`` when the client is not there."""
    return await session.scalar(
        select(ApiClientRow.tokens_valid_from)
        .where(ApiClientRow.marketplace_id == marketplace_id, ApiClientRow.id == client_id)
        .with_for_update()
    )


async def set_tokens_valid_from(
    session: AsyncSession, *, marketplace_id: str, client_id: str, threshold: int
) -> None:
    await session.execute(
        update(ApiClientRow)
        .where(ApiClientRow.marketplace_id == marketplace_id, ApiClientRow.id == client_id)
        .values(tokens_valid_from=threshold)
    )


async def delete_refresh_tokens(session: AsyncSession, *, client_id: str) -> None:
    await session.execute(delete(RefreshTokenRow).where(RefreshTokenRow.api_client_id == client_id))
