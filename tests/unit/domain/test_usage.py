"""Per-client usage aggregation: counting, draining, restoring, the window and the report."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gatehouse.domain.errors import InvalidInputError
from gatehouse.domain.usage import (
    KIND_GRANT,
    KIND_OUTCOME,
    KIND_STATUS,
    UsageCounts,
    build_report,
    grant_label,
    minute_of,
    parse_window,
    window_start,
)

NOW = datetime(2026, 11, 28, 10, 30, 42, 123456, tzinfo=UTC)
MINUTE = datetime(2026, 11, 28, 10, 30, tzinfo=UTC)


def test_minute_of_truncates() -> None:
    assert minute_of(NOW) == MINUTE


@pytest.mark.parametrize(
    ("grant", "label"),
    [
        ("password", "password"),
        ("client_credentials", "client_credentials"),
        ("refresh_token", "refresh_token"),
        ("authorization_code", "other"),
        ("PASSWORD", "other"),
        (None, "other"),
        ("x" * 5000, "other"),
    ],
)
def test_grant_labels_are_bounded(grant: str | None, label: str) -> None:
    assert grant_label(grant) == label


def test_counts_aggregate_per_minute_kind_and_label() -> None:
    counts = UsageCounts()
    for _ in range(3):
        counts.token("mp", "c1", NOW, "password", "issued")
    counts.token("mp", "c1", NOW + timedelta(seconds=10), "password", "Auth.InvalidClientSecret")
    counts.request("mp", "c1", NOW, 200)
    counts.request("mp", "c1", NOW + timedelta(minutes=1), 200)
    drained = counts.drain()
    assert drained == {
        ("mp", "c1", MINUTE, KIND_GRANT, "password"): 4,
        ("mp", "c1", MINUTE, KIND_OUTCOME, "issued"): 3,
        ("mp", "c1", MINUTE, KIND_OUTCOME, "Auth.InvalidClientSecret"): 1,
        ("mp", "c1", MINUTE, KIND_STATUS, "200"): 1,
        ("mp", "c1", MINUTE + timedelta(minutes=1), KIND_STATUS, "200"): 1,
    }
    assert len(counts) == 0
    assert counts.drain() == {}


def test_restore_puts_failed_counts_back_on_top_of_new_ones() -> None:
    counts = UsageCounts()
    counts.request("mp", "c1", NOW, 200)
    failed = counts.drain()
    counts.request("mp", "c1", NOW, 200)
    counts.restore(failed)
    assert counts.drain() == {("mp", "c1", MINUTE, KIND_STATUS, "200"): 2}


@given(st.lists(st.tuples(st.sampled_from(["a", "b"]), st.integers(0, 600)), max_size=200))
def test_nothing_is_lost_or_doubled_across_drains(events: list[tuple[str, int]]) -> None:
    counts = UsageCounts()
    total = 0
    for i, (client, seconds) in enumerate(events):
        counts.request("mp", client, NOW + timedelta(seconds=seconds), 204)
        if i % 7 == 0:
            total += sum(counts.drain().values())
    total += sum(counts.drain().values())
    assert total == len(events)


@pytest.mark.parametrize(("raw", "minutes"), [(None, 60), ("1", 1), ("1440", 1440), (" 30 ", 30)])
def test_window_accepts(raw: str | None, minutes: int) -> None:
    assert parse_window(raw) == minutes


@pytest.mark.parametrize("raw", ["0", "1441", "-1", "abc", "", "1e3", "2.5", "9" * 50, "٣"])
def test_window_refuses(raw: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        parse_window(raw)
    assert caught.value.code == "ValidationFailure"
    assert caught.value.data["Field"] == "minutes"


def test_report_fills_every_minute_and_sums_by_label() -> None:
    start = window_start(NOW, 3)
    assert start == MINUTE - timedelta(minutes=2)
    rows = [
        (MINUTE, KIND_GRANT, "password", 2),
        (MINUTE, KIND_OUTCOME, "issued", 1),
        (MINUTE, KIND_OUTCOME, "Auth.LockedOut", 1),
        (start, KIND_STATUS, "200", 5),
        (start, KIND_STATUS, "404", 1),
        (start - timedelta(minutes=1), KIND_STATUS, "200", 99),  # outside the window
        (MINUTE, "mystery", "x", 7),  # unknown kinds are ignored
    ]
    report = build_report("c1", rows, now=NOW, minutes=3, last_used=MINUTE)
    assert report.start == start
    assert report.end == NOW
    assert report.by_grant_type == {"password": 2}
    assert report.by_outcome == {"Auth.LockedOut": 1, "issued": 1}
    assert report.by_status == {"200": 5, "404": 1}
    assert [(m.tokens, m.token_failures, m.requests) for m in report.per_minute] == [
        (0, 0, 6),
        (0, 0, 0),
        (2, 1, 0),
    ]
    assert [m.minute for m in report.per_minute] == [
        start,
        start + timedelta(minutes=1),
        MINUTE,
    ]
