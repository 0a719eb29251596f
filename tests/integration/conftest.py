"""Fixtures the integration tests share."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio
from fastapi import FastAPI

from gatehouse.app import create_app
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


@pytest_asyncio.fixture
async def second_app(settings: Settings, clock: AdjustableClock) -> AsyncIterator[FastAPI]:
    """Another app (another process's caches) on the same database."""
    application = create_app(settings, clock=clock)
    async with application.router.lifespan_context(application):
        yield application
