"""The write a wrong password costs, the same whether or not the user exists (issue 10,
item 2).

A wrong password for a real user is counted under a row lock (``SELECT … FOR UPDATE``, an
``UPDATE`` of the lockout columns, a commit: an fsync on SQLite); an unknown username used to
cost no write at all, which made it 6–9 ms faster and told an attacker which usernames exist.
Now it costs the same statements on a decoy row (``LoginDecoyRow``) chosen by the username,
and the user's row is written even when nothing changes (while locked), so every wrong
password is one row lock, one UPDATE and one commit. ``bench/login_timing.py`` measures it.

These UPDATEs carry ``NOT_CACHED``: they invalidate no cache (before, every wrong guess on a
real user emptied every process's role and identity caches, which an unknown username did
not). What shows the counter (``GET /v1/me``'s cache) watches the lockout generation instead
(``storage.lockout_signal``), which every save moves, on the decoy row too: both paths send the
same signal.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from gatehouse.domain.lockout import LockoutPolicy, LockState, after_failure
from gatehouse.storage.invalidation import NOT_CACHED
from gatehouse.storage.lockout_signal import lockout_changed
from gatehouse.storage.models import LoginDecoyRow, UserRow

DECOYS = 64
"""Rows made by migration 0017. One username always maps to the same row, so concurrent
guesses on one unknown username queue on one row lock, as guesses on one real user do."""

LockRow = type[UserRow] | type[LoginDecoyRow]


def decoy_id(marketplace_id: str, username: str) -> int:
    digest = hashlib.sha256(f"{marketplace_id}\x00{username.casefold()}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % DECOYS


async def lock_state(session: AsyncSession, model: LockRow, row_id: int) -> LockState | None:
    found = (
        await session.execute(
            select(model.failed_login_attempts, model.locked_until)
            .where(model.id == row_id)
            .with_for_update()
        )
    ).first()
    return None if found is None else LockState(found[0], found[1])


async def save_lock_state(
    session: AsyncSession, model: LockRow, row_id: int, state: LockState
) -> None:
    await session.execute(
        update(model)
        .where(model.id == row_id)
        .values(failed_login_attempts=state.failed_attempts, locked_until=state.locked_until)
        .execution_options(**{NOT_CACHED: True})
    )
    lockout_changed(session)


async def count_decoy_failure(
    session: AsyncSession, marketplace_id: str, username: str, now: datetime
) -> None:
    """The unknown username's twin of ``SqlTokenStore.record_failed_login``, under the default
    lockout policy. A missing row (deleted by hand) is made again."""
    row_id = decoy_id(marketplace_id, username)
    current = await lock_state(session, LoginDecoyRow, row_id)
    if current is None:
        session.add(LoginDecoyRow(id=row_id, failed_login_attempts=0, locked_until=None))
        await session.flush()
        current = LockState()
    await save_lock_state(
        session, LoginDecoyRow, row_id, after_failure(current, LockoutPolicy(), now)
    )
