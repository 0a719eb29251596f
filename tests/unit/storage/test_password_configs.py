"""A login's two lookups (the user, the PasswordConfigs reaching it) run statements built once
at import: building a select per login cost more event-loop time than running it (issue 12,
``bench/login_cpu.py``). What they find is covered end to end in
tests/functional/test_password_policy.py and test_security_profiles.py."""

from __future__ import annotations

from typing import NoReturn

import pytest

from gatehouse.runtime import Runtime
from gatehouse.storage.queries import password_configs, token_store
from gatehouse.storage.queries.token_store import SqlTokenStore
from tests.factories.marketplaces import Marketplace


def _no_building(*args: object, **kwargs: object) -> NoReturn:
    raise AssertionError("a statement was built for this login")


async def test_a_login_builds_no_statement(
    runtime: Runtime, marketplace: Marketplace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(token_store, "select", _no_building)
    monkeypatch.setattr(password_configs, "select", _no_building)
    username = marketplace.credentials.username
    async with SqlTokenStore(runtime.db).session() as session:
        login = await session.find_login(marketplace.id, username.upper())  # case-insensitive
        unknown = await session.find_login(marketplace.id, "nobody-" + username)
    assert login is not None and login.identity.username == username
    assert login.password_hash and login.password_hash.startswith("$argon2id$")
    assert unknown is None  # and the decoy configs query ran, prebuilt too
