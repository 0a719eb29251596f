"""A wrong password costs the same database work whether or not the user exists (issue 10,
item 2). The time itself is measured by ``bench/login_timing.py`` against a real server (a
timed unit test would only measure the test machine's noise); this test pins down the cause
of the difference: the statements of the write transaction, the commit, no cache
invalidation, and one lockout signal (``storage.lockout_signal``) on either path."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import ORMExecuteState, Session

from gatehouse.runtime import Runtime
from gatehouse.storage.cache_keys import CacheKey
from tests.factories.lockout import WRONG, admin_jane, code_of, login
from tests.factories.marketplaces import Marketplace
from tests.support.sql import all_statements

pytestmark = pytest.mark.asyncio


class Work:
    """What the transactions of one request did: each statement as (transaction kind, verb),
    the commits, the cache invalidations that followed and the lockout signals sent."""

    def __init__(self) -> None:
        self.statements: list[tuple[str, str]] = []
        self.commits = 0
        self.invalidations: list[set[CacheKey]] = []
        self.lockout_signals = 0
        self.notices = 0

    def listen(self, kind: str, session: AsyncSession) -> None:
        def on_execute(state: ORMExecuteState) -> None:
            statement: Any = state.statement
            if state.is_select:
                locked = statement._for_update_arg is not None
                self.statements.append((kind, "SELECT FOR UPDATE" if locked else "SELECT"))
            else:
                self.statements.append((kind, "UPDATE" if state.is_update else "INSERT/DELETE"))

        def on_commit(_session: Session) -> None:
            self.commits += 1 if kind == "write" else 0

        event.listen(session.sync_session, "do_orm_execute", on_execute)
        event.listen(session.sync_session, "after_commit", on_commit)

    def writes(self) -> list[str]:
        return [verb for kind, verb in self.statements if kind == "write"]


@contextmanager
def recorded(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> Iterator[Work]:
    work = Work()
    db = runtime.db
    originals = {"read": db.read, "write": db.write}

    def counted(kind: str) -> Callable[[], AbstractAsyncContextManager[AsyncSession]]:
        @asynccontextmanager
        async def transaction() -> AsyncIterator[AsyncSession]:
            async with originals[kind]() as session:
                work.listen(kind, session)
                yield session

        return transaction

    for kind in originals:
        monkeypatch.setattr(db, kind, counted(kind))
    bump = db.lockout.bump

    def counted_bump() -> None:
        work.lockout_signals += 1
        bump()

    monkeypatch.setattr(db.lockout, "bump", counted_bump)
    db.commit_hooks.append(work.invalidations.append)
    try:
        yield work
    finally:
        db.commit_hooks.remove(work.invalidations.append)
        for kind, original in originals.items():
            monkeypatch.setattr(db, kind, original)
        monkeypatch.setattr(db.lockout, "bump", bump)


async def work_of(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch, request: Callable[[], Awaitable[str]]
) -> Work:
    with recorded(runtime, monkeypatch) as work, all_statements(runtime.db) as sql:
        assert await request() == "Auth.InvalidUsernameOrPassword"
    work.notices = sum("pg_notify" in statement for statement in sql)
    return work


async def test_known_and_unknown_users_cost_the_same_write(
    client: httpx.AsyncClient,
    jane: Marketplace,
    runtime: Runtime,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def known() -> str:
        return code_of(await login(client, jane, WRONG))

    async def unknown() -> str:
        return code_of(await login(client, jane, WRONG, username="nobody-here"))

    await known()  # the client's record is cached from here on, for both
    for _ in range(2):
        of_known = await work_of(runtime, monkeypatch, known)
        of_unknown = await work_of(runtime, monkeypatch, unknown)
        assert of_known.statements == of_unknown.statements
        assert of_known.writes() == ["SELECT FOR UPDATE", "UPDATE"]
        assert of_known.commits == of_unknown.commits == 1
        assert of_known.invalidations == of_unknown.invalidations == []
        assert of_known.lockout_signals == of_unknown.lockout_signals == 1
        notices = 1 if runtime.db.dialect == "postgresql" else 0  # on the lockout channel
        assert of_known.notices == of_unknown.notices == notices
        for _ in range(8):  # then up to the lock (whose failure also writes an audit event)
            await known()
    # locked: still the same single write
    assert (await work_of(runtime, monkeypatch, known)).statements == (
        await work_of(runtime, monkeypatch, unknown)
    ).statements


@pytest.fixture
async def jane(client: httpx.AsyncClient, marketplace: Marketplace) -> Marketplace:
    return await admin_jane(client, marketplace)
