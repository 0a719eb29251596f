"""The lockout generation (``storage.lockout_signal``): its own shared file beside a SQLite
database, moved by every committed lockout-counter write and by other processes' PostgreSQL
notices (not this process's own), and never by the cache-invalidation epoch or back."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from sqlalchemy import text

from gatehouse.storage.db import Database
from gatehouse.storage.epoch import SqliteEpoch
from gatehouse.storage.invalidation import PgListener, invalidate, user_key
from gatehouse.storage.lockout_signal import CHANNEL, LockoutGeneration, lockout_changed


def _url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path}/g.db"


def test_a_bump_moves_every_process_sharing_the_file(tmp_path: Path) -> None:
    mine = LockoutGeneration.for_url(_url(tmp_path), sqlite=True)
    theirs = LockoutGeneration.for_url(_url(tmp_path), sqlite=True)
    before = (mine.value(), theirs.value())
    mine.bump()
    after = (mine.value(), theirs.value())
    assert after[0] != before[0] and after[1] != before[1]
    theirs.bump()
    assert mine.value() != after[0]


def test_the_lockout_file_is_not_the_invalidation_epoch(tmp_path: Path) -> None:
    epoch = SqliteEpoch.for_url(_url(tmp_path))
    assert epoch is not None
    reader = SqliteEpoch.for_url(_url(tmp_path))
    assert reader is not None
    LockoutGeneration.for_url(_url(tmp_path), sqlite=True).bump()
    assert not reader.changed()  # a wrong password empties no cache
    lockout = LockoutGeneration.for_url(_url(tmp_path), sqlite=True)
    seen = lockout.value()
    epoch.bump()
    assert lockout.value() == seen
    assert Path(f"{tmp_path}/g.db-gatehouse-lockout").exists()


def test_without_a_shared_file_only_this_process_moves_it() -> None:
    for generation in (
        LockoutGeneration.for_url("sqlite+aiosqlite://", sqlite=True),
        LockoutGeneration.for_url("postgresql+asyncpg://u@h/db", sqlite=False),
    ):
        seen = generation.value()
        generation.bump()
        assert generation.value() != seen


def test_notices_from_other_processes_move_it_and_its_own_do_not() -> None:
    generation = LockoutGeneration()
    seen = generation.value()
    generation.moved(generation.origin)  # counted by ``bump`` at commit already
    assert generation.value() == seen
    generation.moved(LockoutGeneration().origin)
    assert generation.value() != seen


def test_the_listener_hands_lockout_notices_to_its_callback() -> None:
    payloads: list[str] = []
    listener = PgListener(
        "postgresql+asyncpg://u@h/db", lambda _keys: None, lambda: None, payloads.append
    )
    listener._lockout_notified(None, 1, CHANNEL, "abc")
    assert payloads == ["abc"]


@pytest_asyncio.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(_url(tmp_path))
    try:
        yield database
    finally:
        await database.dispose()


@pytest.mark.asyncio
async def test_a_committed_lockout_write_moves_it(db: Database) -> None:
    seen = db.lockout.value()
    async with db.write() as session:
        await session.execute(text("SELECT 1"))
    assert db.lockout.value() == seen  # no lockout write: no signal
    async with db.write() as session:
        lockout_changed(session)
    assert db.lockout.value() != seen


@pytest.mark.asyncio
async def test_a_rolled_back_lockout_write_does_not(db: Database) -> None:
    seen = db.lockout.value()

    async def failing() -> None:
        async with db.write() as session:
            lockout_changed(session)
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        await failing()
    assert db.lockout.value() == seen


@pytest.mark.asyncio
async def test_an_invalidation_does_not_move_it(db: Database) -> None:
    seen = db.lockout.value()
    async with db.write() as session:
        await invalidate(session, user_key("m", 1))
    assert db.lockout.value() == seen
