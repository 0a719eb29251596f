"""The token audit buffer without a server: what it records, when it wakes the flusher, and
that a failing database neither loses a batch at once nor grows the buffer without bound."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import pytest

from gatehouse.domain.audit import AuditEvent
from gatehouse.domain.clock import FrozenClock
from gatehouse.oauth.errors import invalid_credentials
from gatehouse.oauth.server import TokenAttempt
from gatehouse.services import audit as service
from gatehouse.services.audit import MAX_BUFFERED_BATCHES, TokenAuditLog, parse_instant
from gatehouse.storage import audit as audit_q

NOW = datetime(2026, 11, 28, tzinfo=UTC)


def _log(flush_events: int = 3) -> TokenAuditLog:
    return TokenAuditLog(
        None,  # type: ignore[arg-type]  # the database is replaced in each test
        FrozenClock(NOW),
        flush_seconds=1.0,
        flush_events=flush_events,
        retention_days=90,
    )


def _attempt(**fields: Any) -> TokenAttempt:
    return TokenAttempt("password", marketplace_id="m", client_id="c", **fields)


def test_events_for_unknown_clients_are_not_buffered() -> None:
    log = _log()
    log.observe(TokenAttempt("password"), invalid_credentials())
    assert log.pending == 0
    log.enabled = False
    log.observe(_attempt(), None)
    assert log.pending == 0


def test_token_events_carry_grant_type_error_code_and_user() -> None:
    issued = service.token_event(
        _attempt(user_internal_id=7, username="jane", user_type="buyer"), None, NOW
    )
    assert issued.event_type == "token.issued"
    assert dict(issued.details) == {"GrantType": "password"}
    assert issued.user is not None and issued.user.username == "jane"
    assert issued.actor.kind == "user" and issued.actor.client_id == "c"
    refused = service.token_event(_attempt(), invalid_credentials(), NOW)
    assert refused.event_type == "token.refused"
    assert dict(refused.details) == {
        "GrantType": "password",
        "ErrorCode": "Auth.InvalidUsernameOrPassword",
    }
    assert refused.user is None and refused.actor.kind == "system"
    wrong_password = service.token_event(
        _attempt(user_internal_id=7, username="jane", user_type="buyer"),
        invalid_credentials(),
        NOW,
    )
    assert wrong_password.user is not None and wrong_password.user.username == "jane"
    assert wrong_password.actor.kind == "system" and wrong_password.actor.username is None
    assert wrong_password.actor.client_id == "c"


def test_a_full_batch_wakes_the_flusher() -> None:
    log = _log(flush_events=3)
    for _ in range(2):
        log.observe(_attempt(), None)
    assert not log.flusher.woken
    log.observe(_attempt(), None)
    assert log.flusher.woken


async def test_failed_flushes_keep_events_up_to_a_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    written: list[AuditEvent] = []
    failing = True

    async def insert_many(_db: object, events: Sequence[AuditEvent], _now: datetime) -> None:
        if failing:
            raise ConnectionError("database down")
        written.extend(events)

    monkeypatch.setattr(audit_q, "insert_many", insert_many)
    log = _log(flush_events=2)
    limit = 2 * MAX_BUFFERED_BATCHES
    for _ in range(limit + 5):
        log.observe(_attempt(), None)
    with pytest.raises(ConnectionError):
        await log.flush()
    assert log.pending == limit
    assert log.dropped == 5
    failing = False
    assert await log.flush() == limit
    assert len(written) == limit and log.pending == 0
    assert await log.flush() == 0


async def test_stop_flushes_what_is_left(monkeypatch: pytest.MonkeyPatch) -> None:
    written: list[AuditEvent] = []

    async def insert_many(_db: object, events: Sequence[AuditEvent], _now: datetime) -> None:
        written.extend(events)

    monkeypatch.setattr(audit_q, "insert_many", insert_many)
    log = _log(flush_events=100)
    log.start()
    log.observe(_attempt(), None)
    await log.stop()
    assert len(written) == 1


def test_parse_instant() -> None:
    assert parse_instant("2026-01-02") == datetime(2026, 1, 2, tzinfo=UTC)
    assert parse_instant("2026-01-02T03:04:05Z") == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert parse_instant("2026-01-02T05:04:05+02:00") == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    for bad in ("", "yesterday", "2026-13-01", "1" * 50):
        assert parse_instant(bad) is None
