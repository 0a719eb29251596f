"""``GET /v1/me`` from the per-process Me cache (``services.me_cache``): a warm read costs no
statement, and every write to the user, its company, its groups, its security profiles and
their assignments shows on the next request, in this process and in another runtime on the
same database (as another server process would be). A wrong password moves only the lockout
generation (``storage.lockout_signal``): the next read re-reads the counter (one statement),
here and in another app, whose other caches stay as they were."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from gatehouse.domain.users import UserType
from gatehouse.runtime import Runtime
from tests.factories.companies import PASSWORD
from tests.factories.marketplaces import BASE_URL, Marketplace, password_token
from tests.factories.me import jane, me_companies
from tests.support.sql import all_statements, read_statements
from tests.support.waiting import eventually

pytestmark = pytest.mark.asyncio
BUYER_USERS = "/v1/buyers/buyer-a/users"


async def me(client: httpx.AsyncClient, auth: dict[str, str]) -> dict[str, Any]:
    found = await client.get("/v1/me", headers=auth)
    assert found.status_code == 200, found.text
    body: dict[str, Any] = found.json()
    return body


async def test_a_warm_get_me_costs_no_statement(
    client: httpx.AsyncClient,
    runtime: Runtime,
    companies: Marketplace,
) -> None:
    auth = await jane(client, companies, "buyer")
    first = await me(client, auth)
    with all_statements(runtime.db) as statements:
        assert await me(client, auth) == first
        assert await me(client, auth) == first
    assert statements == []


async def test_a_wrong_password_costs_the_next_read_one_statement(
    client: httpx.AsyncClient,
    runtime: Runtime,
    companies: Marketplace,
) -> None:
    """Known or unknown username alike: both move the generation (timing parity)."""
    auth = await jane(client, companies, "buyer")
    buyer_client = await _buyer_client(client, companies)
    await me(client, auth)
    for username, count in (("jane", 1), ("nobody-here", 1), ("jane", 2)):
        wrong = await password_token(client, buyer_client, username, "Wr0ngPassword")
        assert wrong.status_code == 400
        with read_statements(runtime.db) as statements:
            assert (await me(client, auth))["FailedLoginAttempts"] == count
        assert len(statements) == 1 and "failed_login_attempts" in statements[0], statements
        with read_statements(runtime.db) as statements:
            assert (await me(client, auth))["FailedLoginAttempts"] == count
        assert statements == []


async def test_every_write_shows_on_the_next_request(
    client: httpx.AsyncClient,
    companies: Marketplace,
) -> None:
    mp = companies
    auth = await jane(client, mp, "buyer")
    assert (await me(client, auth))["FirstName"] != "Changed"
    patched = await client.patch(
        f"{BUYER_USERS}/jane", headers=mp.auth, json={"FirstName": "Changed"}
    )
    assert patched.status_code == 200, patched.text
    assert (await me(client, auth))["FirstName"] == "Changed"
    buyer = await client.patch(
        "/v1/buyers/buyer-a", headers=mp.auth, json={"DefaultCatalogID": "catalog-b"}
    )
    assert buyer.status_code == 200, buyer.text
    assert (await me(client, auth))["Buyer"]["DefaultCatalogID"] == "catalog-b"
    await _join_a_group_granting(client, mp, "OrderReader")
    assert "OrderReader" in (await me(client, auth))["AvailableRoles"]
    wrong = await password_token(client, await _buyer_client(client, mp), "jane", "Wr0ngPassword")
    assert wrong.status_code == 400
    assert (await me(client, auth))["FailedLoginAttempts"] == 1


async def test_a_write_through_another_process_shows_on_the_next_request(
    client: httpx.AsyncClient,
    runtime: Runtime,
    other: Runtime,
    companies: Marketplace,
) -> None:
    auth = await jane(client, companies, "buyer")
    internal = (await me(client, auth))["ID"]
    assert internal == "jane"
    subject = await _subject_id(runtime, companies.id)
    before = await other.me.get(companies.id, subject)  # warm in the other process
    assert before.view.user.first_name != "Elsewhere"
    patched = await client.patch(
        f"{BUYER_USERS}/jane", headers=companies.auth, json={"FirstName": "Elsewhere"}
    )
    assert patched.status_code == 200, patched.text

    async def seen() -> bool:
        return (await other.me.get(companies.id, subject)).view.user.first_name == "Elsewhere"

    assert await eventually(seen)


async def test_a_wrong_password_elsewhere_moves_only_the_lockout_generation(
    client: httpx.AsyncClient,
    runtime: Runtime,
    companies: Marketplace,
    second_app: FastAPI,
) -> None:
    """Another app (another process) shows the new count on its next read, with the one
    counter statement, and none of its caches was emptied (no epoch bump, no notice)."""
    auth = await jane(client, companies, "buyer")
    buyer_client = await _buyer_client(client, companies)
    there: Runtime = second_app.state.runtime
    transport = httpx.ASGITransport(app=second_app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as other:
        logged_in = await password_token(other, buyer_client, "jane", PASSWORD)
        assert logged_in.status_code == 200, logged_in.text  # warms clients and subjects
        assert (await me(other, auth))["FailedLoginAttempts"] == 0
        sizes = {type(c).__name__: [len(m) for m in c._maps()] for c in there.caches}
        generations = [cache._generation for cache in there.caches]
        for username, count in (("jane", 1), ("nobody-here", 1), ("jane", 2)):
            seen = there.db.lockout.value()
            wrong = await password_token(client, buyer_client, username, "Wr0ngPassword")
            assert wrong.status_code == 400

            async def moved(seen: int = seen) -> bool:
                return there.db.lockout.value() != seen

            assert await eventually(moved)  # at once on SQLite, a notice on PostgreSQL
            with all_statements(there.db) as statements:
                assert (await me(other, auth))["FailedLoginAttempts"] == count
            assert len(statements) == 1 and "failed_login_attempts" in statements[0]
        assert [cache._generation for cache in there.caches] == generations
        assert {type(c).__name__: [len(m) for m in c._maps()] for c in there.caches} == sizes


async def _subject_id(runtime: Runtime, marketplace_id: str) -> int:
    from gatehouse.storage.queries import users

    async with runtime.db.read() as session:
        row = await users.find_by_username(session, marketplace_id=marketplace_id, username="jane")
    assert row is not None and row.user_type == UserType.BUYER.value
    return row.id


async def _buyer_client(client: httpx.AsyncClient, mp: Marketplace) -> str:
    from tests.factories.companies import company_client

    return await company_client(client, mp)


async def _join_a_group_granting(client: httpx.AsyncClient, mp: Marketplace, role: str) -> None:
    steps = [
        ("/v1/buyers/buyer-a/usergroups", {"ID": "g1", "Name": "G1"}),
        ("/v1/securityprofiles", {"ID": "grp", "Name": "Grp", "Roles": [role]}),
        (
            "/v1/securityprofiles/assignments",
            {"SecurityProfileID": "grp", "BuyerID": "buyer-a", "UserGroupID": "g1"},
        ),
        ("/v1/buyers/buyer-a/usergroups/assignments", {"UserGroupID": "g1", "UserID": "jane"}),
    ]
    for url, body in steps:
        done = await client.post(url, headers=mp.auth, json=body)
        assert done.status_code in (200, 201, 204), (url, done.text)


@pytest.fixture
async def companies(runtime: Runtime, marketplace: Marketplace) -> Marketplace:
    return await me_companies(runtime, marketplace)
