"""The one query ``GET /v1/me`` makes when its user is cached but the lockout generation
moved (``services.me_cache``, ``storage.lockout_signal``).

The lockout counter is written without invalidating any cache (``login_failures``: a wrong
password must cost the same whether or not the user exists), so after such a write it is read
again: one indexed single-column SELECT, which also proves the user still exists.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from gatehouse.storage.models import UserRow

_FAILED_ATTEMPTS = select(UserRow.failed_login_attempts)


async def failed_login_attempts(
    session: AsyncSession, *, marketplace_id: str, internal_id: int
) -> int | None:
    """The user's ``FailedLoginAttempts``, ``None`` if the user is gone."""
    found = await session.execute(
        _FAILED_ATTEMPTS.where(UserRow.id == internal_id, UserRow.marketplace_id == marketplace_id)
    )
    row = found.first()
    return None if row is None else int(row[0])
