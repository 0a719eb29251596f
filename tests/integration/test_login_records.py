"""The password grant's login records from the per-process cache (``oauth.login_records``): a
warm login reads nothing, and whatever a login depends on (the password, the user's and the
company's state, the PasswordConfig, the lockout counter) counts at the next login, in this app
and in another app on the same database (as another server process would be: at once on
SQLite, once the notice has arrived on PostgreSQL, which the tests wait for)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI

from gatehouse.runtime import Runtime
from tests.factories.companies import PASSWORD
from tests.factories.lockout import WRONG, admin_jane, code_of
from tests.factories.marketplaces import BASE_URL, Marketplace, password_token
from tests.support.sql import read_statements
from tests.support.waiting import eventually

pytestmark = pytest.mark.asyncio
NEW_PASSWORD = "N3wPassword-Aa1"


@pytest_asyncio.fixture
async def there(second_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the other app."""
    transport = httpx.ASGITransport(app=second_app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as other:
        yield other


async def emptied(app: FastAPI) -> None:
    """Until the other app's login cache has dropped what it held: the notice on
    PostgreSQL; on SQLite the shared epoch is read at the next lookup."""
    runtime: Runtime = app.state.runtime
    if runtime.db.dialect == "sqlite":
        return

    async def empty() -> bool:
        return len(runtime.login_records) == 0

    assert await eventually(empty)


@pytest_asyncio.fixture
async def warm_jane(
    client: httpx.AsyncClient, there: httpx.AsyncClient, marketplace: Marketplace
) -> Marketplace:
    """Admin user ``jane``, logged in through both apps: her record is cached in each."""
    mp = await admin_jane(client, marketplace)
    await warm(mp, client, there)
    return mp


async def status(client: httpx.AsyncClient, mp: Marketplace, password: str) -> int:
    response = await password_token(client, mp.client_id, "jane", password)
    return response.status_code


async def warm(mp: Marketplace, *clients: httpx.AsyncClient) -> None:
    for client in clients:
        assert await status(client, mp, PASSWORD) == 200


async def test_a_warm_login_reads_nothing(
    client: httpx.AsyncClient, runtime: Runtime, marketplace: Marketplace
) -> None:
    mp = await admin_jane(client, marketplace)
    await warm(mp, client)
    with read_statements(runtime.db) as statements:
        assert await status(client, mp, PASSWORD) == 200
        assert await status(client, mp, PASSWORD) == 200
    assert statements == []
    # A wrong password moves the lockout generation: the next login reads again.
    assert await status(client, mp, WRONG) == 400
    with read_statements(runtime.db) as statements:
        assert await status(client, mp, PASSWORD) == 200
    assert statements != []


async def test_a_new_password_counts_at_the_next_login_everywhere(
    client: httpx.AsyncClient, there: httpx.AsyncClient, second_app: FastAPI, warm_jane: Marketplace
) -> None:
    mp = warm_jane
    changed = await client.patch(
        "/v1/adminusers/jane", headers=mp.auth, json={"Password": NEW_PASSWORD}
    )
    assert changed.status_code == 200, changed.text
    await emptied(second_app)
    for app in (client, there):
        assert await status(app, mp, PASSWORD) == 400
        assert await status(app, mp, NEW_PASSWORD) == 200


async def test_a_deactivated_user_is_refused_at_the_next_login_everywhere(
    client: httpx.AsyncClient, there: httpx.AsyncClient, second_app: FastAPI, warm_jane: Marketplace
) -> None:
    mp = warm_jane
    patched = await client.patch("/v1/adminusers/jane", headers=mp.auth, json={"Active": False})
    assert patched.status_code == 200, patched.text
    await emptied(second_app)
    for app in (client, there):
        refused = await password_token(app, mp.client_id, "jane", PASSWORD)
        assert refused.status_code == 400, refused.text


async def test_a_stricter_password_config_counts_at_the_next_login_everywhere(
    client: httpx.AsyncClient, there: httpx.AsyncClient, second_app: FastAPI, warm_jane: Marketplace
) -> None:
    """A PasswordConfig the stored password no longer meets: ``InsecurePassword``."""
    mp = warm_jane
    await _assign_profile(client, mp, {"LimitPasswordReuse": 0, "MinimumCharacterCount": 30})
    await emptied(second_app)
    for app in (client, there):
        refused = await password_token(app, mp.client_id, "jane", PASSWORD)
        assert code_of(refused) == "PasswordReset.InsecurePassword", refused.text


async def test_a_lockout_through_the_other_app_counts_here_at_once(
    client: httpx.AsyncClient,
    there: httpx.AsyncClient,
    runtime: Runtime,
    marketplace: Marketplace,
) -> None:
    mp = await admin_jane(client, marketplace)
    await _assign_profile(client, mp, {"AllowedFailedAttempts": 3, "LockoutDuration": 10})
    await warm(mp, client, there)
    seen = runtime.db.lockout.value()
    for _ in range(3):
        assert await status(there, mp, WRONG) == 400

    async def three_notices() -> bool:
        return runtime.db.lockout.value() == seen + 3

    assert await eventually(three_notices)  # at once on SQLite
    locked = await password_token(client, mp.client_id, "jane", PASSWORD)
    assert code_of(locked) == "Auth.LockedOut", locked.text


async def _assign_profile(
    client: httpx.AsyncClient, mp: Marketplace, config: dict[str, int]
) -> None:
    created = await client.post(
        "/v1/securityprofiles",
        headers=mp.auth,
        json={"ID": "strict", "Name": "Strict", "PasswordConfig": config},
    )
    assert created.status_code == 201, created.text
    assigned = await client.post(
        "/v1/securityprofiles/assignments",
        headers=mp.auth,
        json={"SecurityProfileID": "strict", "UserID": "jane"},
    )
    assert assigned.status_code == 204, assigned.text
