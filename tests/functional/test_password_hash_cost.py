"""The production password hash cost, end to end, once: the suite lowers it for speed
(``GATEHOUSE_PASSWORD_HASH_*`` in tests/conftest.py), so this test removes the lowering and
checks what a real server stores, then that a server at another cost still accepts it (argon2
encodes its parameters in each hash)."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import select

from gatehouse.settings import Settings
from gatehouse.storage.db import Database
from gatehouse.storage.models import UserRow
from tests.factories.cli import bootstrap_lines
from tests.support.server import login, server

pytestmark = [pytest.mark.asyncio, pytest.mark.slow]
PASSWORD = "Pr0ductionCostPassword"
PRODUCTION_PARAMETERS = "$argon2id$v=19$m=19456,t=2,p=1$"
COST_VARIABLES = (
    "GATEHOUSE_PASSWORD_HASH_MEMORY_KIB",
    "GATEHOUSE_PASSWORD_HASH_TIME_COST",
    "GATEHOUSE_PASSWORD_HASH_ALLOW_WEAK",
)


async def stored_hash(database_url: str, username: str) -> str | None:
    db = Database(Settings(database_url=database_url).effective_database_url)
    try:
        async with db.read() as session:
            return await session.scalar(
                select(UserRow.password_hash).where(UserRow.username == username)
            )
    finally:
        await db.dispose()


async def test_a_server_hashes_at_the_production_cost_by_default(
    fresh_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    lowered = {name: value for name in COST_VARIABLES if (value := os.environ.get(name))}
    assert lowered, "the suite is expected to lower the hash cost (tests/conftest.py)"
    for name in COST_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    env = {"GATEHOUSE_BOOTSTRAP_USERNAME": "prod-admin", "GATEHOUSE_BOOTSTRAP_PASSWORD": PASSWORD}
    with server(fresh_database_url, env=env) as (_, process):
        created = bootstrap_lines(process)
    stored = await stored_hash(fresh_database_url, "prod-admin")
    assert stored is not None and stored.startswith(PRODUCTION_PARAMETERS), stored

    for name, value in lowered.items():
        monkeypatch.setenv(name, value)
    with server(fresh_database_url) as (base, _):  # at the suite's lower cost
        answer = login(base, created["ApiClientID"], "prod-admin", PASSWORD)
    assert answer.status_code == 200, answer.text
