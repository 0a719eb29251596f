"""Per-client usage: what is counted, how it is bucketed, and the JSON report's shape.

Each process counts in memory (``UsageCounts``: a dict increment, no I/O, no lock) and a
background task adds the counts to the ``client_usage`` table every few seconds, so the token
endpoint itself writes nothing and every process's counts end up in one place. Only clients
that exist are counted here: the key needs the client's marketplace, which is known only once
the client ID resolved (token endpoint) or a valid token named it (API).

Three kinds of per-minute counts are kept per client:

- ``grant``: token requests by grant type (``password``, ``client_credentials``,
  ``anonymous``, ``refresh_token``, ``other``), whatever their outcome;
- ``outcome``: token requests by outcome, ``issued`` or the refusal's ErrorCode;
- ``status``: API requests made with the client's tokens, by HTTP status.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from gatehouse.domain.errors import InvalidInputError

KIND_GRANT = "grant"
KIND_OUTCOME = "outcome"
KIND_STATUS = "status"
ISSUED = "issued"
UNKNOWN_CLIENT = "unknown"
OTHER = "other"
ANONYMOUS_GRANT = "anonymous"
"""``client_credentials`` on an IsAnonBuyer client: counted and audited under its own name."""
GRANT_TYPES = frozenset({"password", "client_credentials", "refresh_token", ANONYMOUS_GRANT, "sso"})
DEFAULT_WINDOW_MINUTES = 60
MAX_WINDOW_MINUTES = 1440
MAX_LABEL_LENGTH = 100

UsageKey = tuple[str, str, datetime, str, str]
"""``(marketplace_id, client_id, minute, kind, label)``."""


def grant_label(grant_type: str | None) -> str:
    """A bounded label: the grants Gatehouse serves, anything else is ``other``."""
    return grant_type if grant_type in GRANT_TYPES else OTHER


def minute_of(when: datetime) -> datetime:
    """The start of the minute ``when`` falls in."""
    return when.replace(second=0, microsecond=0)


class UsageCounts:
    """One process's counts since the last flush.

    Only ever touched from the event loop thread, and ``drain`` swaps the dict without an
    ``await`` in between, so no lock is needed and nothing is counted twice or lost.
    """

    def __init__(self) -> None:
        self._counts: dict[UsageKey, int] = {}

    def __len__(self) -> int:
        return len(self._counts)

    def add(self, key: UsageKey, count: int = 1) -> None:
        self._counts[key] = self._counts.get(key, 0) + count

    def token(
        self, marketplace_id: str, client_id: str, when: datetime, grant: str, outcome: str
    ) -> None:
        minute = minute_of(when)
        self.add((marketplace_id, client_id, minute, KIND_GRANT, grant))
        self.add((marketplace_id, client_id, minute, KIND_OUTCOME, outcome[:MAX_LABEL_LENGTH]))

    def request(self, marketplace_id: str, client_id: str, when: datetime, status: int) -> None:
        self.add((marketplace_id, client_id, minute_of(when), KIND_STATUS, str(status)))

    def drain(self) -> dict[UsageKey, int]:
        """Everything counted so far; counting starts again from zero."""
        drained, self._counts = self._counts, {}
        return drained

    def restore(self, counts: Mapping[UsageKey, int]) -> None:
        """Put back counts a failed flush could not store, to be tried again."""
        for key, count in counts.items():
            self.add(key, count)


def parse_window(raw: str | None) -> int:
    """``minutes``: an integer from 1 to 1440 (a day of per-minute counts at most)."""
    if raw is None:
        return DEFAULT_WINDOW_MINUTES
    value = raw.strip()
    digits = value.isascii() and value.isdigit() and len(value) <= 5
    if not digits or not 1 <= int(value) <= MAX_WINDOW_MINUTES:
        raise InvalidInputError(
            message=f"minutes must be an integer from 1 to {MAX_WINDOW_MINUTES}.",
            data={"Field": "minutes", "Value": raw[:20]},
        )
    return int(value)


@dataclass(frozen=True, slots=True)
class MinuteUsage:
    minute: datetime
    tokens: int = 0
    token_failures: int = 0
    requests: int = 0


@dataclass(frozen=True, slots=True)
class UsageReport:
    client_id: str
    start: datetime
    end: datetime
    last_used: datetime | None
    by_grant_type: dict[str, int] = field(default_factory=dict)
    by_outcome: dict[str, int] = field(default_factory=dict)
    by_status: dict[str, int] = field(default_factory=dict)
    per_minute: list[MinuteUsage] = field(default_factory=list)


def window_start(now: datetime, minutes: int) -> datetime:
    """The first minute of a window of ``minutes`` whole minutes ending with the current one."""
    return minute_of(now) - timedelta(minutes=minutes - 1)


def build_report(
    client_id: str,
    rows: Iterable[tuple[datetime, str, str, int]],
    *,
    now: datetime,
    minutes: int,
    last_used: datetime | None,
) -> UsageReport:
    """Totals by label and one entry per minute of the window (zeros included, oldest first),
    from ``(minute, kind, label, count)`` rows."""
    start = window_start(now, minutes)
    per_minute = {start + timedelta(minutes=i): [0, 0, 0] for i in range(minutes)}
    totals: dict[str, dict[str, int]] = {KIND_GRANT: {}, KIND_OUTCOME: {}, KIND_STATUS: {}}
    for minute, kind, label, count in rows:
        bucket = per_minute.get(minute_of(minute))
        if bucket is None or kind not in totals:
            continue
        totals[kind][label] = totals[kind].get(label, 0) + count
        if kind == KIND_GRANT:
            bucket[0] += count
        elif kind == KIND_OUTCOME and label != ISSUED:
            bucket[1] += count
        elif kind == KIND_STATUS:
            bucket[2] += count
    return UsageReport(
        client_id=client_id,
        start=start,
        end=now,
        last_used=last_used,
        by_grant_type=dict(sorted(totals[KIND_GRANT].items())),
        by_outcome=dict(sorted(totals[KIND_OUTCOME].items())),
        by_status=dict(sorted(totals[KIND_STATUS].items())),
        per_minute=[
            MinuteUsage(minute, tokens, failures, requests)
            for minute, (tokens, failures, requests) in per_minute.items()
        ],
    )
