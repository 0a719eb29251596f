"""The token store's read session is opened only when a lookup needs SQL (and its SQL is not
even built when the cache answers), and SQLite read engines keep enough pooled connections for
concurrent requests (issue 12)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from gatehouse.domain.api_clients import ApiClient
from gatehouse.domain.users import UserIdentity, UserType
from gatehouse.oauth.store import ClientRecord
from gatehouse.storage.db import SQLITE_READ_POOL_SIZE, create_engine
from gatehouse.storage.queries import token_store
from gatehouse.storage.queries.token_store import SqlTokenStore


class CachedClients:
    def __init__(self, record: ClientRecord) -> None:
        self.record = record

    async def find(
        self, client_id: str, load: Callable[[str], Awaitable[ClientRecord | None]]
    ) -> ClientRecord | None:
        return self.record


class CachedSubjects:
    def __init__(self, identity: UserIdentity) -> None:
        self.identity_found = identity

    async def identity(
        self,
        key: tuple[str, str],
        load: Callable[[tuple[str, str]], Awaitable[UserIdentity | None]],
    ) -> UserIdentity | None:
        return self.identity_found


class NoColumns:
    """Stands in for ``UserRow``: building a SQL condition from it fails the test."""

    def __getattr__(self, name: str) -> object:
        raise AssertionError(f"UserRow.{name} was read although the cache answered")


class CountingDatabase:
    """Stands in for ``Database``: counts the read sessions opened."""

    def __init__(self) -> None:
        self.opened = 0

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        self.opened += 1
        raise AssertionError("no SQL was needed")
        yield  # pragma: no cover


async def test_a_lookup_the_cache_answers_opens_no_session() -> None:
    record = ClientRecord("mkt", True, ApiClient(id="c1", app_name="A", access_token_duration=60))
    db = CountingDatabase()
    store = SqlTokenStore(db, clients=CachedClients(record))  # type: ignore[arg-type]
    async with store.session() as session:
        assert await session.find_client("c1") is record
    assert db.opened == 0


async def test_a_subject_the_cache_answers_builds_no_sql(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Building ``UserRow.username_key == key`` was about 4 % of a warm client_credentials
    grant's CPU, for a condition that the cached subject never needed."""
    jane = UserIdentity(7, "jane", UserType.BUYER, "b1", True, True)
    db = CountingDatabase()
    store = SqlTokenStore(db, subjects=CachedSubjects(jane))  # type: ignore[arg-type]
    monkeypatch.setattr(token_store, "UserRow", NoColumns())
    async with store.session() as session:
        assert await session.find_user_by_username("mkt", "Jane") is jane
        assert await session.find_user_by_id("mkt", 7) is jane
    assert db.opened == 0


async def test_sqlite_read_engine_keeps_a_pool_for_concurrent_requests(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/g.db")
    try:
        assert engine.pool.size() == SQLITE_READ_POOL_SIZE  # type: ignore[attr-defined]
    finally:
        await engine.dispose()
    memory = create_engine("sqlite+aiosqlite:///:memory:")  # a one-connection pool still
    await memory.dispose()
