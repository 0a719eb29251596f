"""The background flusher without a database: rounds on time or when woken, a failing round
neither ends the task nor hides the failure, and stopping runs the last round."""

from __future__ import annotations

import asyncio
from typing import cast

from gatehouse.services.flushing import BackgroundFlusher
from gatehouse.storage.db import Database


class FakeOutage:
    def __init__(self) -> None:
        self.reported: list[BaseException] = []

    def report(self, exc: BaseException) -> None:
        self.reported.append(exc)


class FakeDatabase:
    def __init__(self) -> None:
        self.outage = FakeOutage()


class Buffer:
    """Counts rounds; fails the rounds it is told to."""

    def __init__(self, *failures: Exception) -> None:
        self.failures = list(failures)
        self.rounds = 0
        self.last_rounds = 0
        self.other_failures: list[Exception] = []
        self.db = FakeDatabase()
        self.flusher = BackgroundFlusher(
            cast(Database, self.db),
            name="test-flusher",
            interval_seconds=3600,
            flush_round=self.flush,
            last_round=self.last,
            on_failure=self.other_failures.append,
        )

    async def flush(self) -> None:
        self.rounds += 1
        if self.failures:
            raise self.failures.pop(0)

    async def last(self) -> None:
        self.last_rounds += 1


async def _rounds(buffer: Buffer, count: int) -> None:
    for _ in range(400):
        if buffer.rounds == count:
            return
        await asyncio.sleep(0.005)
    raise AssertionError(f"{buffer.rounds} rounds, not {count}")


async def test_a_woken_flusher_runs_a_round_before_its_interval() -> None:
    buffer = Buffer()
    buffer.flusher.start()
    assert not buffer.flusher.woken
    buffer.flusher.wake()
    assert buffer.flusher.woken
    await _rounds(buffer, 1)
    assert not buffer.flusher.woken
    await buffer.flusher.stop()
    assert buffer.last_rounds == 1


async def test_failed_rounds_are_reported_and_the_task_goes_on() -> None:
    down = ConnectionRefusedError("database down")
    broken = ValueError("a bug")
    buffer = Buffer(down, broken)
    buffer.flusher.start()
    for expected in (1, 2, 3):
        buffer.flusher.wake()
        await _rounds(buffer, expected)
    assert buffer.db.outage.reported == [down]  # an outage: logged once per outage
    assert buffer.other_failures == [broken]
    await buffer.flusher.stop()


async def test_stop_without_start_still_runs_the_last_round() -> None:
    buffer = Buffer()
    await buffer.flusher.stop()
    assert (buffer.rounds, buffer.last_rounds) == (0, 1)
