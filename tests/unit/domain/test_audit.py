"""The audit vocabulary: changed field names, wire names and the query's time window."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from gatehouse.domain.api_clients import ApiClient
from gatehouse.domain.audit import MAX_RANGE, changed_fields, check_range, wire_name
from gatehouse.domain.errors import InvalidInputError

NOW = datetime(2026, 11, 28, tzinfo=UTC)


def test_wire_names() -> None:
    assert wire_name("access_token_duration") == "AccessTokenDuration"
    assert wire_name("order_checkout_integration_event_id") == "OrderCheckoutIntegrationEventID"
    assert wire_name("default_context_username") == "DefaultContextUserName"
    assert wire_name("xp") == "xp"
    assert wire_name("id") == "ID"


def test_changed_fields_are_names_only() -> None:
    before = ApiClient(id="c", app_name="A", access_token_duration=60, client_secret="old")
    after = dataclasses.replace(before, client_secret="new-secret", xp={"a": 1})
    changed = changed_fields(before, after)
    assert changed == ["ClientSecret", "xp"]
    assert "new-secret" not in repr(changed)
    assert changed_fields(before, before) == []


def test_default_window_is_the_widest_allowed_up_to_now() -> None:
    window = check_range(None, None, NOW)
    assert (window.since, window.until) == (NOW - MAX_RANGE, NOW)
    window = check_range(NOW - timedelta(days=1), None, NOW)
    assert (window.since, window.until) == (NOW - timedelta(days=1), NOW)
    assert (
        check_range(None, NOW - timedelta(days=10), NOW).since
        == NOW - timedelta(days=10) - MAX_RANGE
    )


@pytest.mark.parametrize(
    ("since", "until", "code"),
    [
        (NOW, NOW - timedelta(seconds=1), "Audit.InvalidRange"),
        (NOW - MAX_RANGE - timedelta(seconds=1), NOW, "Audit.RangeTooWide"),
        (NOW - timedelta(days=400), None, "Audit.RangeTooWide"),
    ],
)
def test_bad_windows(since: datetime, until: datetime | None, code: str) -> None:
    with pytest.raises(InvalidInputError) as raised:
        check_range(since, until, NOW)
    assert raised.value.code == code


def test_an_empty_window_at_one_instant_is_allowed() -> None:
    assert check_range(NOW, NOW, NOW).since == NOW
