"""The SSO flow's storage: pending states (single use), identity links, and the users the flow
signs in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from gatehouse.storage.models import SsoIdentityLinkRow, SsoStateRow


@dataclass(frozen=True, slots=True)
class PendingState:
    marketplace_id: str
    config_id: str
    browser_sha256: str
    nonce: str
    code_verifier: str | None
    roles: str | None
    app_start_path: str
    expires_at: datetime


async def save_state(session: AsyncSession, state_sha256: str, pending: PendingState) -> None:
    session.add(
        SsoStateRow(
            state_sha256=state_sha256,
            marketplace_id=pending.marketplace_id,
            config_id=pending.config_id,
            browser_sha256=pending.browser_sha256,
            nonce=pending.nonce,
            code_verifier=pending.code_verifier,
            roles=pending.roles,
            app_start_path=pending.app_start_path,
            expires_at=pending.expires_at,
        )
    )
    await session.flush()


async def consume_state(session: AsyncSession, state_sha256: str) -> PendingState | None:
    """Read and delete in one transaction; only the transaction whose DELETE removed the row
    gets it, so two concurrent callbacks with one state cannot both succeed."""
    row = await session.get(SsoStateRow, state_sha256)
    if row is None:
        return None
    pending = PendingState(
        row.marketplace_id,
        row.config_id,
        row.browser_sha256,
        row.nonce,
        row.code_verifier,
        row.roles,
        row.app_start_path,
        row.expires_at,
    )
    result = await session.execute(
        delete(SsoStateRow).where(SsoStateRow.state_sha256 == state_sha256)
    )
    return pending if result.rowcount == 1 else None  # type: ignore[attr-defined]


async def purge_states(session: AsyncSession, now: datetime) -> int:
    result = await session.execute(delete(SsoStateRow).where(SsoStateRow.expires_at < now))
    return int(result.rowcount)  # type: ignore[attr-defined]


async def linked_user(
    session: AsyncSession, *, marketplace_id: str, issuer: str, subject: str
) -> int | None:
    found: int | None = await session.scalar(
        select(SsoIdentityLinkRow.user_internal_id).where(
            SsoIdentityLinkRow.marketplace_id == marketplace_id,
            SsoIdentityLinkRow.issuer == issuer,
            SsoIdentityLinkRow.subject == subject,
        )
    )
    return found


async def save_link(
    session: AsyncSession,
    *,
    marketplace_id: str,
    issuer: str,
    subject: str,
    user_internal_id: int,
    config_id: str,
    now: datetime,
) -> None:
    """A concurrent first sign-in of the same identity may have linked it already: the first
    link stays."""
    try:
        async with session.begin_nested():
            session.add(
                SsoIdentityLinkRow(
                    marketplace_id=marketplace_id,
                    issuer=issuer,
                    subject=subject,
                    user_internal_id=user_internal_id,
                    config_id=config_id,
                    created_at=now,
                )
            )
    except IntegrityError:
        return
