"""The admin services bound to a frozen clock over the suite's real database.

A fake of their storage would have to re-implement the queries they run (row locks, upserts,
reference checks), so these tests use the database the session fixtures build (SQLite, or
PostgreSQL with ``GATEHOUSE_TEST_DB=postgresql``) and fake only the clock: what they check is
what the services decide with the time they are bound to, without HTTP in between."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from gatehouse.crypto import PasswordHasher
from gatehouse.domain.clock import FrozenClock
from gatehouse.runtime import Runtime
from gatehouse.services.registry import Services

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


@pytest.fixture
def services(runtime: Runtime, hasher: PasswordHasher) -> Services:
    """The services built as the runtime builds them, bound to a clock frozen at ``NOW``."""
    return Services.build(runtime.db, FrozenClock(NOW), hasher)
