"""A wrong password costs the same database work whether or not the user exists (issue 10,
item 2). The time itself is measured by ``bench/login_timing.py`` against a real server (a
timed unit test would only measure the test machine's noise); this test pins down the cause
of the difference: the statements of the write transaction, the commit, and no cache
invalidation on either path."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import ORMExecuteState, Session

from gatehouse.runtime import Runtime
from gatehouse.storage.invalidation import WriteSession
from tests.conftest import Marketplace
from tests.functional.test_lockout import WRONG, code_of, jane, login

pytestmark = pytest.mark.asyncio
__all__ = ["jane"]  # the fixture, used by name


class Work:
    """What the write transactions of one request did."""

    def __init__(self) -> None:
        self.transactions = 0
        self.statements: list[str] = []
        self.commits = 0
        self.invalidations: list[set[str]] = []


@contextmanager
def recorded(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> Iterator[Work]:
    work = Work()
    original = runtime.db.write

    @asynccontextmanager
    async def counted() -> AsyncIterator[AsyncSession]:
        work.transactions += 1
        async with original() as session:
            yield session

    def on_execute(state: ORMExecuteState) -> None:
        statement: Any = state.statement
        if state.is_select:
            locked = statement._for_update_arg is not None
            work.statements.append("SELECT FOR UPDATE" if locked else "SELECT")
        else:
            work.statements.append("UPDATE" if state.is_update else "INSERT/DELETE")

    def on_commit(_session: Session) -> None:
        work.commits += 1

    monkeypatch.setattr(runtime.db, "write", counted)
    runtime.db.commit_hooks.append(work.invalidations.append)
    event.listen(WriteSession, "do_orm_execute", on_execute)
    event.listen(WriteSession, "after_commit", on_commit)
    try:
        yield work
    finally:
        event.remove(WriteSession, "do_orm_execute", on_execute)
        event.remove(WriteSession, "after_commit", on_commit)
        runtime.db.commit_hooks.remove(work.invalidations.append)
        monkeypatch.setattr(runtime.db, "write", original)


async def work_of(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch, request: Callable[[], Awaitable[str]]
) -> tuple[int, list[str], int, list[set[str]]]:
    with recorded(runtime, monkeypatch) as work:
        assert await request() == "Auth.InvalidUsernameOrPassword"
    return work.transactions, work.statements, work.commits, work.invalidations


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

    expected: tuple[int, list[str], int, list[set[str]]] = (
        1,
        ["SELECT FOR UPDATE", "UPDATE"],
        1,
        [],
    )
    assert await work_of(runtime, monkeypatch, known) == expected
    assert await work_of(runtime, monkeypatch, unknown) == expected
    for _ in range(8):  # up to the tenth failure, which locks (and writes its audit event)
        await known()
    await known()
    assert await work_of(runtime, monkeypatch, known) == expected  # locked: still one write
    assert await work_of(runtime, monkeypatch, unknown) == expected
