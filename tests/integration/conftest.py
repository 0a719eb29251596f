"""Fixtures the integration tests share."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from gatehouse.runtime import Runtime
from gatehouse.settings import Settings
from tests.factories.clock import AdjustableClock


@pytest_asyncio.fixture
async def other(settings: Settings, clock: AdjustableClock) -> AsyncIterator[Runtime]:
    """A second runtime on the same database: another process's caches and listener."""
    runtime = Runtime.from_settings(settings, clock)
    await runtime.start()
    try:
        yield runtime
    finally:
        await runtime.stop()
