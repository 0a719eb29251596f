"""The token endpoint's caches (client records, users and their roles): a warm
client_credentials grant runs no SQL at all, yet every change to what it depends on shows
in the very next token — roles (profiles, assignments, groups), the user's and company's
state, the client's secrets."""

from __future__ import annotations

import httpx
import pytest

from gatehouse.runtime import Runtime
from tests.factories.client_credentials import client_credentials, dcu_shop, new_client
from tests.factories.marketplaces import Marketplace
from tests.factories.tokens import claims_of
from tests.support.sql import all_statements

pytestmark = pytest.mark.asyncio


async def roles_now(http: httpx.AsyncClient, client_id: str) -> list[str] | str:
    response = await client_credentials(http, client_id)
    assert response.status_code == 200, response.text
    role: list[str] | str = claims_of(response.json()["access_token"]).get("role", [])
    return sorted(role) if isinstance(role, list) else role


async def test_a_warm_grant_runs_no_sql(
    client: httpx.AsyncClient, runtime: Runtime, shop: Marketplace
) -> None:
    client_id = await new_client(client, shop)
    await roles_now(client, client_id)
    with all_statements(runtime.db) as seen:
        await roles_now(client, client_id)
    assert seen == []


async def test_role_changes_show_in_the_next_token(
    client: httpx.AsyncClient, shop: Marketplace
) -> None:
    client_id = await new_client(client, shop)
    before = await roles_now(client, client_id)
    assert "ProductReader" not in before
    profile = {"ID": "extra", "Name": "Extra", "Roles": ["ProductReader"]}
    assert (await client.post("/v1/securityprofiles", headers=shop.auth, json=profile)).is_success
    assignment = {"SecurityProfileID": "extra", "BuyerID": "buyer-a", "UserID": "dcu"}
    saved = await client.post(
        "/v1/securityprofiles/assignments", headers=shop.auth, json=assignment
    )
    assert saved.status_code == 204
    assert "ProductReader" in await roles_now(client, client_id)
    # A profile's roles changing, not only its assignments.
    patched = await client.patch(
        "/v1/securityprofiles/extra", headers=shop.auth, json={"Roles": ["PromotionReader"]}
    )
    assert patched.is_success
    after = await roles_now(client, client_id)
    assert "PromotionReader" in after and "ProductReader" not in after
    removed = await client.delete(
        "/v1/securityprofiles/extra/assignments",
        headers=shop.auth,
        params={"buyerID": "buyer-a", "userID": "dcu"},
    )
    assert removed.status_code == 204, removed.text
    assert await roles_now(client, client_id) == before


async def test_group_membership_changes_show_in_the_next_token(
    client: httpx.AsyncClient, shop: Marketplace
) -> None:
    client_id = await new_client(client, shop)
    group = {"ID": "readers", "Name": "Readers"}
    assert (
        await client.post("/v1/buyers/buyer-a/usergroups", headers=shop.auth, json=group)
    ).is_success
    profile = {"ID": "grp", "Name": "Grp", "Roles": ["CategoryReader"]}
    assert (await client.post("/v1/securityprofiles", headers=shop.auth, json=profile)).is_success
    assignment = {"SecurityProfileID": "grp", "BuyerID": "buyer-a", "UserGroupID": "readers"}
    saved = await client.post(
        "/v1/securityprofiles/assignments", headers=shop.auth, json=assignment
    )
    assert saved.status_code == 204, saved.text
    assert "CategoryReader" not in await roles_now(client, client_id)
    member = {"UserGroupID": "readers", "UserID": "dcu"}
    joined = await client.post(
        "/v1/buyers/buyer-a/usergroups/assignments", headers=shop.auth, json=member
    )
    assert joined.status_code == 204, joined.text
    assert "CategoryReader" in await roles_now(client, client_id)


async def test_user_and_company_state_show_in_the_next_grant(
    client: httpx.AsyncClient, shop: Marketplace
) -> None:
    client_id = await new_client(client, shop)
    await roles_now(client, client_id)
    user = "/v1/buyers/buyer-a/users/dcu"
    assert (await client.patch(user, headers=shop.auth, json={"Active": False})).is_success
    refused = await client_credentials(client, client_id)
    assert refused.json()["Errors"][0]["ErrorCode"] == "Auth.UserNotActive"
    assert (await client.patch(user, headers=shop.auth, json={"Active": True})).is_success
    await roles_now(client, client_id)
    buyer = "/v1/buyers/buyer-a"
    assert (await client.patch(buyer, headers=shop.auth, json={"Active": False})).is_success
    refused = await client_credentials(client, client_id)
    assert refused.json()["Errors"][0]["ErrorCode"] == "Auth.CompanyNotActive"


@pytest.fixture
async def shop(
    client: httpx.AsyncClient, runtime: Runtime, marketplace: Marketplace
) -> Marketplace:
    return await dcu_shop(client, runtime, marketplace)
