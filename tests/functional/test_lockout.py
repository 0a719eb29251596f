"""Lockout through POST /oauth/token: counting, locking, the answers a locked user and an
attacker get, expiry on the injected clock, PasswordConfig overrides, unlock endpoints, and
concurrent wrong guesses that must never pass the limit."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
import pytest

from gatehouse.domain.lockout import LockoutPolicy, is_locked
from gatehouse.runtime import Runtime
from gatehouse.storage.queries.token_store import SqlTokenStore
from tests.factories.clock import AdjustableClock
from tests.factories.companies import PASSWORD, add_companies, company_client, user
from tests.factories.lockout import WRONG, admin_jane, code_of, fresh_admin_auth, login, stored_lock
from tests.factories.marketplaces import Marketplace, password_token

pytestmark = pytest.mark.asyncio


async def fail(client: httpx.AsyncClient, mp: Marketplace, times: int) -> None:
    for _ in range(times):
        response = await login(client, mp, WRONG)
        assert code_of(response) == "Auth.InvalidUsernameOrPassword"


async def attempts(client: httpx.AsyncClient, auth: dict[str, str], url: str) -> int:
    count: int = (await client.get(url, headers=auth)).json()["FailedLoginAttempts"]
    return count


async def with_profile(client: httpx.AsyncClient, mp: Marketplace, **assignment: str) -> None:
    """A profile whose PasswordConfig allows 3 failures and locks for 10 minutes."""
    await client.post(
        "/v1/securityprofiles",
        headers=mp.auth,
        json={
            "ID": "strict",
            "Name": "Strict",
            "PasswordConfig": {"AllowedFailedAttempts": 3, "LockoutDuration": 10},
        },
    )
    response = await client.post(
        "/v1/securityprofiles/assignments",
        headers=mp.auth,
        json={"SecurityProfileID": "strict", **assignment},
    )
    assert response.status_code == 204, response.text


@pytest.fixture
async def jane(client: httpx.AsyncClient, marketplace: Marketplace) -> Marketplace:
    return await admin_jane(client, marketplace)


async def test_ten_failures_lock_for_two_minutes_by_default(
    client: httpx.AsyncClient, jane: Marketplace, clock: AdjustableClock
) -> None:
    await fail(client, jane, 9)
    assert await attempts(client, jane.auth, "/v1/adminusers/jane") == 9
    await fail(client, jane, 1)
    assert await attempts(client, jane.auth, "/v1/adminusers/jane") == 10

    locked = await login(client, jane, PASSWORD)
    assert locked.status_code == 400
    assert locked.json()["error"] == "invalid_grant"
    assert code_of(locked) == "Auth.LockedOut"

    clock.advance(timedelta(minutes=1, seconds=59))
    assert code_of(await login(client, jane, PASSWORD)) == "Auth.LockedOut"
    clock.advance(timedelta(seconds=2))
    assert (await login(client, jane, PASSWORD)).status_code == 200
    assert await attempts(client, jane.auth, "/v1/adminusers/jane") == 0


async def test_a_wrong_password_on_a_locked_user_looks_like_an_unknown_user(
    client: httpx.AsyncClient, jane: Marketplace
) -> None:
    """Only the holder of the right password learns of the lock: no enumeration."""
    await fail(client, jane, 10)
    wrong = await login(client, jane, WRONG)
    unknown = await login(client, jane, WRONG, username="nobody-here")
    assert wrong.status_code == unknown.status_code == 400
    assert wrong.json() == unknown.json()
    assert code_of(wrong) == "Auth.InvalidUsernameOrPassword"
    assert await attempts(client, jane.auth, "/v1/adminusers/jane") == 10


async def test_an_unknown_user_is_never_locked_out(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    for _ in range(15):
        response = await login(client, marketplace, WRONG, username="nobody-here")
        assert code_of(response) == "Auth.InvalidUsernameOrPassword"


async def test_a_success_resets_the_count(client: httpx.AsyncClient, jane: Marketplace) -> None:
    await fail(client, jane, 9)
    assert (await login(client, jane, PASSWORD)).status_code == 200
    assert await attempts(client, jane.auth, "/v1/adminusers/jane") == 0
    await fail(client, jane, 9)  # a fresh allowance: still not locked
    assert (await login(client, jane, PASSWORD)).status_code == 200


async def test_an_expired_lock_gives_a_new_round(
    client: httpx.AsyncClient, jane: Marketplace, clock: AdjustableClock
) -> None:
    await fail(client, jane, 10)
    clock.advance(timedelta(minutes=3))
    await fail(client, jane, 1)
    assert await attempts(client, jane.auth, "/v1/adminusers/jane") == 1
    assert (await login(client, jane, PASSWORD)).status_code == 200


async def test_password_config_sets_attempts_and_duration(
    client: httpx.AsyncClient, jane: Marketplace, clock: AdjustableClock
) -> None:
    await with_profile(client, jane, UserID="jane")
    await fail(client, jane, 3)
    assert code_of(await login(client, jane, PASSWORD)) == "Auth.LockedOut"
    clock.advance(timedelta(minutes=9))
    assert code_of(await login(client, jane, PASSWORD)) == "Auth.LockedOut"
    clock.advance(timedelta(minutes=1, seconds=1))
    assert (await login(client, jane, PASSWORD)).status_code == 200


async def test_the_strictest_config_wins(client: httpx.AsyncClient, jane: Marketplace) -> None:
    """A seller-level profile allowing 5 and a user-level one allowing 3: 3 apply."""
    await client.post(
        "/v1/securityprofiles",
        headers=jane.auth,
        json={"ID": "lax", "Name": "Lax", "PasswordConfig": {"AllowedFailedAttempts": 5}},
    )
    await client.post(
        "/v1/securityprofiles/assignments", headers=jane.auth, json={"SecurityProfileID": "lax"}
    )
    await with_profile(client, jane, UserID="jane")
    await fail(client, jane, 3)
    assert code_of(await login(client, jane, PASSWORD)) == "Auth.LockedOut"


async def test_lockout_duration_zero_lasts_until_unlocked(
    client: httpx.AsyncClient, jane: Marketplace, clock: AdjustableClock
) -> None:
    await client.post(
        "/v1/securityprofiles",
        headers=jane.auth,
        json={"ID": "forever", "Name": "F", "PasswordConfig": {"LockoutDuration": 0}},
    )
    await client.post(
        "/v1/securityprofiles/assignments",
        headers=jane.auth,
        json={"SecurityProfileID": "forever", "UserID": "jane"},
    )
    await fail(client, jane, 10)
    clock.advance(timedelta(days=365))
    assert code_of(await login(client, jane, PASSWORD)) == "Auth.LockedOut"
    auth = await fresh_admin_auth(client, jane)
    unlocked = await client.post("/v1/adminusers/jane/unlock", headers=auth)
    assert unlocked.status_code == 204 and unlocked.content == b""
    assert await attempts(client, auth, "/v1/adminusers/jane") == 0
    assert (await login(client, jane, PASSWORD)).status_code == 200


async def test_unlock_clears_a_count_below_the_limit(
    client: httpx.AsyncClient, jane: Marketplace
) -> None:
    await fail(client, jane, 4)
    assert (await client.post("/v1/adminusers/jane/unlock", headers=jane.auth)).status_code == 204
    assert await attempts(client, jane.auth, "/v1/adminusers/jane") == 0
    unknown = await client.post("/v1/adminusers/nobody/unlock", headers=jane.auth)
    assert unknown.status_code == 404


@pytest.mark.parametrize("kind", ["buyer", "supplier"])
async def test_company_users_lock_and_unlock(
    client: httpx.AsyncClient, marketplace: Marketplace, runtime: Runtime, kind: str
) -> None:
    await add_companies(runtime, marketplace, kind, "co")
    base = f"/v1/{kind}s/co/users"
    await client.post(base, headers=marketplace.auth, json=user())
    await with_profile(
        client, marketplace, **{"BuyerID" if kind == "buyer" else "SupplierID": "co"}
    )
    client_id = await company_client(client, marketplace)
    for _ in range(3):
        await password_token(client, client_id, "jane", WRONG)
    assert await attempts(client, marketplace.auth, f"{base}/jane") == 3
    locked = await password_token(client, client_id, "jane", PASSWORD)
    assert code_of(locked) == "Auth.LockedOut"
    assert (await client.post(f"{base}/jane/unlock", headers=marketplace.auth)).status_code == 204
    assert (await password_token(client, client_id, "jane", PASSWORD)).status_code == 200


async def test_concurrent_wrong_guesses_never_pass_the_limit(
    client: httpx.AsyncClient, jane: Marketplace, runtime: Runtime
) -> None:
    responses = await asyncio.gather(*(login(client, jane, WRONG) for _ in range(25)))
    assert {code_of(r) for r in responses} == {"Auth.InvalidUsernameOrPassword"}
    _, count, locked_until = await stored_lock(runtime, jane, "jane")
    assert count == 10
    assert is_locked(runtime.clock.now(), locked_until)
    assert code_of(await login(client, jane, PASSWORD)) == "Auth.LockedOut"


async def test_the_counter_is_atomic_under_concurrency(jane: Marketplace, runtime: Runtime) -> None:
    """25 concurrent failures on the store itself (no hashing to spread them out): each one
    sees the previous one's write, so the counts returned are exactly 1, 2, 3, then the lock."""
    internal_id, _, _ = await stored_lock(runtime, jane, "jane")
    store = SqlTokenStore(runtime.db)
    policy = LockoutPolicy(3, timedelta(minutes=10))
    now = runtime.clock.now()
    states = await asyncio.gather(
        *(store.record_failed_login(internal_id, policy, now, client_id=None) for _ in range(25))
    )
    counts = sorted(s.failed_attempts for s in states if s is not None)
    assert counts == [1, 2, *[3] * 23]
    _, count, locked_until = await stored_lock(runtime, jane, "jane")
    assert count == 3 and locked_until == now + timedelta(minutes=10)
    assert not await store.reset_failed_logins(internal_id, now)
    assert await store.reset_failed_logins(internal_id, now + timedelta(minutes=10))
    assert (await stored_lock(runtime, jane, "jane"))[1:] == (0, None)
