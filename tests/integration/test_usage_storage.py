"""``client_usage`` on the session's backend: concurrent flushes from several "processes" add
up exactly, a failed flush keeps its counts, retention deletes only old rows."""

from __future__ import annotations

import asyncio
import secrets
from datetime import UTC, datetime, timedelta

import pytest

from gatehouse.domain.clock import FrozenClock
from gatehouse.domain.usage import UsageCounts
from gatehouse.runtime import Runtime
from gatehouse.services.usage import UsageFlusher
from gatehouse.storage.db import Database
from gatehouse.storage.queries import usage as usage_q

pytestmark = pytest.mark.asyncio
NOW = datetime(2026, 11, 28, 10, 30, 5, tzinfo=UTC)


def flusher(db: Database, clock: FrozenClock) -> UsageFlusher:
    return UsageFlusher(db, clock, UsageCounts(), interval_seconds=60, retention_days=14)


async def test_concurrent_flushes_add_up(runtime: Runtime) -> None:
    mp, client = secrets.token_hex(4), secrets.token_hex(4)
    clock = FrozenClock(NOW)
    processes = [flusher(runtime.db, clock) for _ in range(4)]
    for rounds in range(3):
        for process in processes:
            for _ in range(5):
                process.counts.request(mp, client, NOW, 200)
                process.counts.token(mp, client, NOW, "password", "issued")
            process.counts.request(mp, f"{client}-{rounds}", NOW, 500)
        stored = await asyncio.gather(*(process.flush() for process in processes))
        assert stored == [4, 4, 4, 4]
    async with runtime.db.read() as session:
        rows = await usage_q.window(
            session, marketplace_id=mp, client_id=client, since=NOW.replace(second=0)
        )
        used = await usage_q.last_used(session, mp, [client, f"{client}-0", "never"])
    assert sorted((kind, label, count) for _m, kind, label, count in rows) == [
        ("grant", "password", 60),
        ("outcome", "issued", 60),
        ("status", "200", 60),
    ]
    assert used == {
        client: NOW.replace(second=0),
        f"{client}-0": NOW.replace(second=0),  # API requests are use, whatever their status
        "never": None,
    }


async def test_a_failed_flush_keeps_its_counts(tmp_path: object) -> None:
    broken = Database(f"sqlite+aiosqlite:///{tmp_path}/missing/dir/usage.db")
    process = flusher(broken, FrozenClock(NOW))
    process.counts.request("mp", "c", NOW, 200)
    try:
        assert await process.flush() == 0
    finally:
        await broken.dispose()
    assert len(process.counts) == 1


async def test_retention_deletes_only_old_rows(runtime: Runtime) -> None:
    mp, client = secrets.token_hex(4), secrets.token_hex(4)
    clock = FrozenClock(NOW)
    process = flusher(runtime.db, clock)
    process.counts.request(mp, client, NOW - timedelta(days=15), 200)
    process.counts.request(mp, client, NOW - timedelta(days=13), 200)
    await process.flush()
    assert await process.prune() >= 1
    async with runtime.db.read() as session:
        rows = await usage_q.window(
            session, marketplace_id=mp, client_id=client, since=NOW - timedelta(days=30)
        )
    assert [row[0] for row in rows] == [(NOW - timedelta(days=13)).replace(second=0)]
