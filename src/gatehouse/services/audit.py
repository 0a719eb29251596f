"""The audit trail's use cases: buffering token events, flushing and purging them in the
background, and the audit query.

Token events (``token.issued``, ``token.refused``) are the one exception to "recorded in the
change's own transaction": the token endpoint writes nothing (client credentials and refresh
grants are read-only), so its events go to an in-process buffer that a background task
writes in batches (every ``audit_flush_seconds`` or ``audit_flush_events`` events, and at
shutdown). The trade-off: a crash loses at most the events of one flush interval; every
change event (clients, secrets, assignments, unlocks, revocations, lockouts, key rotations)
is written in the change's own transaction.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from gatehouse.domain.audit import (
    TOKEN_ISSUED,
    TOKEN_REFUSED,
    Actor,
    AuditEvent,
    AuditUser,
    StoredEvent,
    check_range,
)
from gatehouse.domain.clock import Clock
from gatehouse.domain.errors import InvalidInputError, NotFoundError
from gatehouse.domain.ids import normalize_client_id
from gatehouse.domain.listing import ListQuery
from gatehouse.oauth.errors import OAuthError
from gatehouse.oauth.server import TokenAttempt
from gatehouse.services.flushing import BackgroundFlusher
from gatehouse.storage import audit as audit_q
from gatehouse.storage.db import Database
from gatehouse.storage.queries import api_clients

log = logging.getLogger(__name__)

MAX_BUFFERED_BATCHES = 100
"""While the database is unreachable the buffer keeps at most this many batches; beyond
that the oldest events are dropped (and counted) rather than exhausting memory."""
PURGE_EVERY = timedelta(hours=1)
MAX_FILTER_LENGTH = 100


def token_event(attempt: TokenAttempt, error: OAuthError | None, now: datetime) -> AuditEvent:
    """``token.issued`` or ``token.refused`` (with the ErrorCode) for one token request."""
    user = None
    if attempt.user_internal_id is not None:
        user = AuditUser(attempt.user_internal_id, attempt.username, attempt.user_type)
    details: dict[str, str] = {"GrantType": attempt.grant_type}
    details.update(attempt.details)
    if error is not None:
        details["ErrorCode"] = error.code
    # The user is the actor only once authenticated: a refused request's user is only the
    # user concerned (someone tried to get a token as them).
    actor = Actor("system", client_id=attempt.client_id)
    if user is not None and error is None:
        actor = Actor(
            "user",
            user_internal_id=attempt.user_internal_id,
            username=attempt.username,
            user_type=attempt.user_type,
            client_id=attempt.client_id,
        )
    return AuditEvent(
        event_type=TOKEN_ISSUED if error is None else TOKEN_REFUSED,
        marketplace_id=attempt.marketplace_id,
        actor=actor,
        client_id=attempt.client_id,
        user=user,
        details=details,
        time=now,
    )


class TokenAuditLog:
    """The token endpoint's observer: appends an event to a list (no I/O, no await), and a
    background task writes the list in batches."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        flush_seconds: float,
        flush_events: int,
        retention_days: int,
    ) -> None:
        self._db = db
        self._clock = clock
        self._flush_events = flush_events
        self._retention = timedelta(days=retention_days)
        self._pending: list[AuditEvent] = []
        self._lock = asyncio.Lock()
        self._last_purge: datetime | None = None
        self.enabled = True
        self.dropped = 0
        self.flusher = BackgroundFlusher(
            db,
            name="gatehouse-audit-flush",
            interval_seconds=flush_seconds,
            flush_round=self._flush_round,
            last_round=self._flush_at_shutdown,
            on_failure=lambda exc: log.error("audit flush failed; will retry", exc_info=exc),
        )

    # -- the hot path ----------------------------------------------------------------------

    def observe(self, attempt: TokenAttempt, error: OAuthError | None) -> None:
        """Requests for unknown clients belong to no marketplace: not recorded (a flood of
        made-up client_ids must not fill the table; the metrics count them)."""
        if not self.enabled or attempt.marketplace_id is None:
            return
        self._pending.append(token_event(attempt, error, self._clock.now()))
        if len(self._pending) >= self._flush_events:
            self.flusher.wake()

    @property
    def pending(self) -> int:
        return len(self._pending)

    # -- the background task ---------------------------------------------------------------

    def start(self) -> None:
        self.flusher.start()

    async def stop(self) -> None:
        """Stop the task and write what is left (shutdown)."""
        await self.flusher.stop()

    async def _flush_at_shutdown(self) -> None:
        try:
            await self.flush()
        except Exception:  # shutdown goes on; the loss is logged
            log.exception("audit flush at shutdown failed: %d token events lost", self.pending)

    async def _flush_round(self) -> None:
        await self.flush()
        await self._purge_now_and_then()

    async def flush(self) -> int:
        """Write every buffered event in one transaction; on failure they stay buffered
        (bounded by ``MAX_BUFFERED_BATCHES``) and the error propagates."""
        async with self._lock:
            batch, self._pending = self._pending, []
            if not batch:
                return 0
            try:
                await audit_q.insert_many(self._db, batch, self._clock.now())
            except Exception:
                self._pending = batch + self._pending
                limit = self._flush_events * MAX_BUFFERED_BATCHES
                if len(self._pending) > limit:
                    self.dropped += len(self._pending) - limit
                    del self._pending[: len(self._pending) - limit]
                raise
            return len(batch)

    async def _purge_now_and_then(self) -> None:
        now = self._clock.now()
        if self._last_purge is None or now - self._last_purge >= PURGE_EVERY:
            self._last_purge = now
            await purge(self._db, self._clock, self._retention)


async def purge(
    db: Database,
    clock: Clock,
    retention: timedelta,
    on_batch: Callable[[int], None] | None = None,
) -> int:
    """Delete the events older than the retention period, in batches."""
    return await audit_q.purge(db, clock.now() - retention, on_batch=on_batch)


async def purgeable(db: Database, clock: Clock, retention: timedelta) -> int:
    """How many events a purge would delete now (the CLI's progress bar total)."""
    return await audit_q.count_before(db, clock.now() - retention)


async def list_page(
    db: Database,
    clock: Clock,
    marketplace_id: str,
    query: ListQuery,
    *,
    client_id: str | None,
    username: str | None,
    since: datetime | None,
    until: datetime | None,
) -> tuple[list[StoredEvent], int]:
    """One page of the marketplace's audit trail.

    An unknown ``client_id`` is 404 NotFound ApiClient, unless the trail names it (a deleted
    client's history stays queryable).
    """
    where = check_range(since, until, clock.now())
    for name, value in (("clientID", client_id), ("username", username)):
        if value is not None and len(value) > MAX_FILTER_LENGTH:
            raise InvalidInputError(
                "Audit.InvalidFilter", f"{name} is too long.", {"Property": name}
            )
    async with db.read() as session:
        if client_id is not None:
            normalized = normalize_client_id(client_id)
            known = await api_clients.get(
                session, marketplace_id=marketplace_id, client_id=normalized
            ) is not None or await audit_q.mentions_client(
                session, marketplace_id=marketplace_id, client_id=normalized
            )
            if not known:
                raise NotFoundError("ApiClient", client_id)
            where = dataclasses.replace(where, client_id=normalized)
        if username is not None:
            where = dataclasses.replace(where, username=username)
        return await audit_q.list_page(
            session, marketplace_id=marketplace_id, where=where, query=query
        )


MAX_INSTANT_LENGTH = 40


def parse_instant(raw: str) -> datetime | None:
    """ISO 8601 date or date-time (``Z`` or an offset; naive means UTC), in UTC; None when
    unparsable. (In a query string ``+`` means a space: write offsets as ``%2B`` or use Z.)"""
    if len(raw) > MAX_INSTANT_LENGTH:
        return None
    try:
        value = datetime.fromisoformat(raw.strip())
    except ValueError:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
