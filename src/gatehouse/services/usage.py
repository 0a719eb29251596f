"""Storing per-client usage durably, and the per-client usage report.

``UsageFlusher`` runs in every server process (started by the app's lifespan): every
``GATEHOUSE_USAGE_FLUSH_SECONDS`` (5 s) it adds the process's in-memory counts to the
``client_usage`` table in one short write transaction, outside any request, and once more at
shutdown. The trade-off: a process that crashes loses at most its last interval of counts; in
exchange the token endpoint writes nothing and counting costs a dict increment. A flush that
fails (database briefly away) puts its counts back for the next one. Now and then it also
deletes rows older than ``GATEHOUSE_USAGE_RETENTION_DAYS`` (14).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from gatehouse.domain.clock import Clock
from gatehouse.domain.errors import NotFoundError
from gatehouse.domain.ids import normalize_client_id
from gatehouse.domain.usage import UsageCounts, UsageReport, build_report, window_start
from gatehouse.services.flushing import BackgroundFlusher
from gatehouse.storage.db import Database
from gatehouse.storage.queries import api_client_secrets as clients_q
from gatehouse.storage.queries import usage as usage_q

log = logging.getLogger("gatehouse.usage")

PRUNE_EVERY = timedelta(hours=1)
MAX_CLIENT_ID_LENGTH = 36


class UsageFlusher:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        counts: UsageCounts,
        *,
        interval_seconds: float,
        retention_days: int,
    ) -> None:
        self._db = db
        self._clock = clock
        self.counts = counts
        self._retention = timedelta(days=retention_days)
        self._last_prune: datetime | None = None
        self.flusher = BackgroundFlusher(
            db,
            name="gatehouse-usage-flusher",
            interval_seconds=interval_seconds,
            flush_round=self._flush_round,
            last_round=self.flush,
            on_failure=lambda exc: log.warning(
                "usage flush failed, will retry: %s", type(exc).__name__
            ),
        )

    async def start(self) -> None:
        self.flusher.start()

    async def stop(self) -> None:
        """Stop the loop, then store what is left (a clean shutdown loses nothing)."""
        await self.flusher.stop()

    async def _flush_round(self) -> None:
        await self.flush()
        await self._prune_now_and_then()

    async def flush(self) -> int:
        """Store the counts gathered so far; return how many rows were added to. Never
        raises: on failure the counts are kept for the next flush."""
        pending = self.counts.drain()
        if not pending:
            return 0
        try:
            async with self._db.write() as session:
                await usage_q.add_counts(session, pending)
        except Exception as exc:  # the next flush retries; serving goes on
            self.counts.restore(pending)
            self.flusher.report(exc)
            return 0
        return len(pending)

    async def prune(self) -> int:
        """Delete rows older than the retention period."""
        cutoff = self._clock.now() - self._retention
        async with self._db.write() as session:
            return await usage_q.delete_before(session, cutoff)

    async def _prune_now_and_then(self) -> None:
        now = self._clock.now()
        if self._last_prune is not None and now - self._last_prune < PRUNE_EVERY:
            return
        self._last_prune = now
        try:
            await self.prune()
        except Exception as exc:  # retried at the next interval
            log.warning("usage retention failed: %s", type(exc).__name__)


async def client_usage(
    db: Database, clock: Clock, marketplace_id: str, client_id: str, minutes: int
) -> UsageReport:
    """The client's usage over the last ``minutes`` minutes; 404 for a client that is not in
    this marketplace (another marketplace's client included)."""
    normalized = normalize_client_id(client_id)
    now = clock.now()
    async with db.read() as session:
        if len(normalized) > MAX_CLIENT_ID_LENGTH or not await clients_q.client_exists(
            session, marketplace_id=marketplace_id, client_id=normalized
        ):
            raise NotFoundError("ApiClient", client_id[:100])
        rows = await usage_q.window(
            session,
            marketplace_id=marketplace_id,
            client_id=normalized,
            since=window_start(now, minutes),
        )
        used = await usage_q.last_used(session, marketplace_id, [normalized])
    return build_report(normalized, rows, now=now, minutes=minutes, last_used=used[normalized])
