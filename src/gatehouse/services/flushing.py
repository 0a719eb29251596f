"""The background task that drains an in-process buffer into the database.

The token audit trail (``services.audit.TokenAuditLog``) and per-client usage
(``services.usage.UsageFlusher``) both keep the hot path free of writes: they buffer in memory
and write in batches from one task per process. What the two share lives here: the periodic
round (sooner when the buffer asks), surviving a failed round (the buffer's owner keeps what it
could not write, and the next round retries), reporting a database outage once per outage, and
stopping with a last round so that a clean shutdown loses nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

from gatehouse.storage.availability import is_unavailable
from gatehouse.storage.db import Database

Round = Callable[[], Awaitable[object]]


class BackgroundFlusher:
    """Runs ``flush_round`` every ``interval_seconds``, or as soon as ``wake()`` is called,
    from ``start()`` until ``stop()``, which then runs ``last_round`` once.

    A round that raises does not end the task: a database outage is reported through
    ``Database.outage`` (logged once per outage), anything else goes to ``on_failure``.
    """

    def __init__(
        self,
        db: Database,
        *,
        name: str,
        interval_seconds: float,
        flush_round: Round,
        last_round: Round,
        on_failure: Callable[[Exception], None],
    ) -> None:
        self._db = db
        self._name = name
        self._interval = interval_seconds
        self._round = flush_round
        self._last_round = last_round
        self._on_failure = on_failure
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @property
    def woken(self) -> bool:
        """Whether a round was asked for before its interval ran out."""
        return self._wake.is_set()

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=self._name)

    async def stop(self) -> None:
        """Stop the task, then run the last round (shutdown)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self._last_round()

    def report(self, exc: Exception) -> None:
        """A failed write: an outage once per outage, anything else to ``on_failure``."""
        if is_unavailable(exc):
            self._db.outage.report(exc)
        else:
            self._on_failure(exc)

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._interval)
            self._wake.clear()
            try:
                await self._round()
            except Exception as exc:  # the loop must survive a database outage
                self.report(exc)
