"""Access tokens revoked one by one (RFC 7009, ``/oauth/revoke``), and refresh tokens revoked
by their client. The ids of revoked access tokens are read whole by every process
(``oauth.revoked``) and re-read when ``cache_keys.REVOKED_TOKENS`` is invalidated."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from gatehouse.storage.cache_keys import REVOKED_TOKENS
from gatehouse.storage.invalidation import invalidate
from gatehouse.storage.models import RefreshTokenRow, RevokedAccessTokenRow


async def live_jtis(session: AsyncSession, now_seconds: int) -> frozenset[str]:
    """The ids of revoked access tokens that have not yet expired."""
    rows = await session.scalars(
        select(RevokedAccessTokenRow.jti).where(RevokedAccessTokenRow.expires_at > now_seconds)
    )
    return frozenset(rows)


async def revoke_access_token(
    session: AsyncSession,
    *,
    jti: str,
    marketplace_id: str,
    client_id: str,
    expires_at: int,
    now: datetime,
) -> None:
    """Record one revoked access token (idempotent) and tell every process."""
    if await session.get(RevokedAccessTokenRow, jti) is None:
        session.add(
            RevokedAccessTokenRow(
                jti=jti,
                marketplace_id=marketplace_id,
                api_client_id=client_id,
                expires_at=expires_at,
                revoked_at=now,
            )
        )
        await session.flush()
    await invalidate(session, REVOKED_TOKENS)


async def delete_refresh_token(session: AsyncSession, token_sha256: str, client_id: str) -> bool:
    """Delete a refresh token if, and only if, it was issued to ``client_id``."""
    result = await session.execute(
        delete(RefreshTokenRow).where(
            RefreshTokenRow.token_sha256 == token_sha256,
            RefreshTokenRow.api_client_id == client_id,
        )
    )
    return bool(getattr(result, "rowcount", 0))


async def purge_expired(session: AsyncSession, now_seconds: int) -> int:
    result = await session.execute(
        delete(RevokedAccessTokenRow).where(RevokedAccessTokenRow.expires_at <= now_seconds)
    )
    return int(getattr(result, "rowcount", 0) or 0)
