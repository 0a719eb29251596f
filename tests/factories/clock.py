"""A clock the tests move by hand (the app under test reads it for every decision in time)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class AdjustableClock:
    """System time plus an offset tests can move forward (and the fixture moves back)."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, delta: timedelta) -> None:
        self.offset += delta
