"""Test infrastructure: one database per session (SQLite by default, PostgreSQL with
``GATEHOUSE_TEST_DB=postgresql``), its schema built by the real Alembic migrations, one app,
and a fresh marketplace per test. Marketplaces are isolated from each other in every query,
so tests need no rollback tricks: each creates exactly the data it reads.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import timedelta

import asyncpg
import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from hypothesis import settings as hypothesis_settings

from gatehouse.app import create_app
from gatehouse.crypto import PasswordHasher
from gatehouse.runtime import Runtime
from gatehouse.services.marketplaces import create_marketplace
from gatehouse.settings import Settings
from gatehouse.storage import migrate
from tests.factories.clock import AdjustableClock
from tests.factories.marketplaces import ADMIN_PASSWORD, BASE_URL, Marketplace, password_token

# Deterministic property tests in CI: the same examples on every run.
hypothesis_settings.register_profile("ci", derandomize=True, deadline=None)
hypothesis_settings.register_profile("dev", deadline=None)
hypothesis_settings.load_profile("ci" if os.environ.get("CI") == "true" else "dev")

PG_ADMIN_DSN = os.environ.get(
    "GATEHOUSE_TEST_PG_DSN", "postgresql://postgres@127.0.0.1:5432/postgres"
)
# Secrets at rest are encrypted on both backends in the suite (servers and CLI started by
# tests inherit it); tests of the key's absence or of the SQLite key file remove it.
TEST_ENCRYPTION_KEY = "dGVzdC1lbmNyeXB0aW9uLWtleS0zMi1ieXRlcy0hISE"
os.environ.setdefault("GATEHOUSE_ENCRYPTION_KEY", TEST_ENCRYPTION_KEY)


def backend() -> str:
    return os.environ.get("GATEHOUSE_TEST_DB", "sqlite")


@pytest.fixture(scope="session")
def tmp_dir(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(tmp_path_factory.mktemp("gatehouse"))


@pytest_asyncio.fixture(scope="session")
async def database_url(tmp_dir: str) -> AsyncIterator[str]:
    """A fresh, migrated database for this test session."""
    if backend() == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_dir}/test.db"
        await migrate.upgrade(url)
        yield url
        return
    name = f"gatehouse_test_{os.getpid()}_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(PG_ADMIN_DSN)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    url = (
        PG_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
        + "/"
        + name
    )
    try:
        await migrate.upgrade(url)
        yield url
    finally:
        admin = await asyncpg.connect(PG_ADMIN_DSN)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest.fixture(scope="session")
def clock() -> AdjustableClock:
    return AdjustableClock()


@pytest.fixture(autouse=True)
def _reset_clock(clock: AdjustableClock) -> Iterator[None]:
    yield
    clock.offset = timedelta()


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    # Token audit events and usage counts are flushed explicitly by the tests that read them
    # (``runtime.audit.flush()``, the usage flusher), never by a timer in the middle of another
    # test.
    return Settings(
        database_url=database_url,
        base_url=BASE_URL,
        audit_flush_seconds=3600,
        audit_flush_events=1_000_000,
        usage_flush_seconds=3600,
    )


@pytest_asyncio.fixture(scope="session")
async def app(settings: Settings, clock: AdjustableClock) -> AsyncIterator[FastAPI]:
    application = create_app(settings, clock=clock)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture(scope="session")
def runtime(app: FastAPI) -> Runtime:
    runtime: Runtime = app.state.runtime
    return runtime


@pytest_asyncio.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
        yield http


@pytest.fixture(scope="session")
def hasher() -> PasswordHasher:
    return PasswordHasher()


@pytest_asyncio.fixture
async def marketplace(
    runtime: Runtime, client: httpx.AsyncClient, hasher: PasswordHasher
) -> Marketplace:
    """A fresh marketplace and a FullAccess admin token for it."""
    credentials = await create_marketplace(
        runtime.db,
        hasher,
        runtime.clock,
        name="Test Marketplace",
        admin_username=f"admin-{secrets.token_hex(4)}",
        admin_password=ADMIN_PASSWORD,
    )
    response = await password_token(
        client, credentials.api_client_id, credentials.username, ADMIN_PASSWORD
    )
    assert response.status_code == 200, response.text
    return Marketplace(credentials, response.json()["access_token"])


@asynccontextmanager
async def empty_database(directory: object, prefix: str) -> AsyncIterator[str]:
    """An empty database (no schema) on the session's backend: a SQLite file in
    ``directory``, or a PostgreSQL database dropped afterwards."""
    if backend() == "sqlite":
        yield f"sqlite:///{directory}/{prefix}.db"
        return
    name = f"gatehouse_{prefix}_{os.getpid()}_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(PG_ADMIN_DSN)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    try:
        yield PG_ADMIN_DSN.rsplit("/", 1)[0] + "/" + name
    finally:
        admin = await asyncpg.connect(PG_ADMIN_DSN)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest_asyncio.fixture
async def fresh_database_url(tmp_path: object) -> AsyncIterator[str]:
    """An empty database (no schema) on the session's backend, for CLI and server tests."""
    async with empty_database(tmp_path, "fresh") as url:
        yield url
