"""/v1/buyers/{buyerID}/users: CRUD, PUT create-or-replace, usernames unique across every
company and user type, the same ID in two buyers, and buyer-level profiles reaching a login.
What buyer and supplier users share (company checks, roles, boundaries, unlock) runs for both
in ``test_company_users``.

Buyers and suppliers are inserted as rows, so these tests do not depend on their resources."""

from __future__ import annotations

import httpx
import jwt
import pytest

from gatehouse.runtime import Runtime
from tests.factories.companies import (
    PASSWORD,
    add_companies,
    company_client,
    error_of,
    user,
)
from tests.factories.marketplaces import Marketplace, password_token

pytestmark = pytest.mark.asyncio


@pytest.fixture
async def buyers(runtime: Runtime, marketplace: Marketplace) -> Marketplace:
    await add_companies(runtime, marketplace, "buyer", "buyer-a", "buyer-b")
    return marketplace


async def test_create_get_list_patch_delete(client: httpx.AsyncClient, buyers: Marketplace) -> None:
    url = "/v1/buyers/buyer-a/users"
    created = await client.post(url, headers=buyers.auth, json=user(xp={"a": 1}))
    assert created.status_code == 201, created.text
    assert created.headers["Location"].endswith("/v1/buyers/buyer-a/users/jane")
    body = created.json()
    assert body["CompanyID"] == "buyer-a"
    assert body["Password"] is None
    assert body["FailedLoginAttempts"] == 0
    assert body["AvailableRoles"] == []  # the seller-level FullAccess reaches only admins

    assert (await client.get(f"{url}/jane", headers=buyers.auth)).json() == body
    listed = await client.get(url, headers=buyers.auth, params={"search": "jan"})
    assert [u["ID"] for u in listed.json()["Items"]] == ["jane"]
    assert (await client.get("/v1/buyers/buyer-b/users", headers=buyers.auth)).json()["Items"] == []

    patched = await client.patch(
        f"{url}/jane", headers=buyers.auth, json={"FirstName": "Janet", "xp": {"b": 2}}
    )
    assert patched.json()["FirstName"] == "Janet" and patched.json()["xp"] == {"a": 1, "b": 2}
    assert (await client.delete(f"{url}/jane", headers=buyers.auth)).status_code == 204
    gone = await client.get(f"{url}/jane", headers=buyers.auth)
    assert gone.status_code == 404
    assert error_of(gone)["Data"] == {"ObjectType": "User", "ObjectID": "jane"}


async def test_put_creates_then_replaces(client: httpx.AsyncClient, buyers: Marketplace) -> None:
    url = "/v1/buyers/buyer-a/users/bob"
    created = await client.put(url, headers=buyers.auth, json=user(ID=None, Username="bob"))
    assert created.status_code == 200 and created.json()["ID"] == "bob"
    replaced = await client.put(
        url, headers=buyers.auth, json=user(ID=None, Username="bob2", xp=None)
    )
    assert replaced.json()["Username"] == "bob2"
    missing = await client.put(url, headers=buyers.auth, json={"Username": "bob3"})
    assert error_of(missing)["ErrorCode"] == "RequiredField"


async def test_usernames_are_unique_across_companies_and_user_types(
    client: httpx.AsyncClient, buyers: Marketplace, runtime: Runtime
) -> None:
    await add_companies(runtime, buyers, "supplier", "acme")
    assert (
        await client.post("/v1/buyers/buyer-a/users", headers=buyers.auth, json=user())
    ).status_code == 201
    attempts = [
        ("/v1/buyers/buyer-b/users", user(ID="other", Username="JANE")),
        ("/v1/buyers/buyer-a/users", user(ID="other", Username="Jane")),
        ("/v1/suppliers/acme/users", user(ID="other")),
        ("/v1/adminusers", user(ID="other")),
    ]
    for url, body in attempts:
        response = await client.post(url, headers=buyers.auth, json=body)
        assert response.status_code == 409, url
        assert error_of(response)["ErrorCode"] == "User.UsernameMustBeUnique"
        assert error_of(response)["Data"] == {"Username": body["Username"]}
    admin_name = buyers.credentials.username
    renamed = await client.patch(
        "/v1/buyers/buyer-a/users/jane", headers=buyers.auth, json={"Username": admin_name}
    )
    assert error_of(renamed)["ErrorCode"] == "User.UsernameMustBeUnique"


async def test_the_same_id_in_two_buyers_is_two_users(
    client: httpx.AsyncClient, buyers: Marketplace
) -> None:
    for buyer_id in ("buyer-a", "buyer-b"):
        created = await client.post(
            f"/v1/buyers/{buyer_id}/users",
            headers=buyers.auth,
            json=user(ID="u1", Username=f"u1-{buyer_id}"),
        )
        assert created.status_code == 201
    same_id = await client.post(
        "/v1/buyers/buyer-a/users", headers=buyers.auth, json=user(ID="u1", Username="x")
    )
    assert same_id.status_code == 409 and error_of(same_id)["ErrorCode"] == "IdExists"
    await client.delete("/v1/buyers/buyer-a/users/u1", headers=buyers.auth)
    still = await client.get("/v1/buyers/buyer-b/users/u1", headers=buyers.auth)
    assert still.json()["Username"] == "u1-buyer-b"


async def test_buyer_user_logs_in_and_profiles_at_buyer_level_reach_them(
    client: httpx.AsyncClient, buyers: Marketplace
) -> None:
    await client.post("/v1/buyers/buyer-a/users", headers=buyers.auth, json=user())
    await client.post(
        "/v1/securityprofiles",
        headers=buyers.auth,
        json={"ID": "shopper", "Name": "Shopper", "Roles": ["Shopper", "MeAdmin"]},
    )
    await client.post(
        "/v1/securityprofiles/assignments",
        headers=buyers.auth,
        json={"SecurityProfileID": "shopper", "BuyerID": "buyer-a"},
    )
    got = await client.get("/v1/buyers/buyer-a/users/jane", headers=buyers.auth)
    assert got.json()["AvailableRoles"] == ["MeAdmin", "Shopper"]
    token = await password_token(client, await company_client(client, buyers), "jane", PASSWORD)
    assert token.status_code == 200, token.text
    claims = jwt.decode(token.json()["access_token"], options={"verify_signature": False})
    assert claims["usrtype"] == "buyer"
    assert sorted(claims["role"]) == ["MeAdmin", "Shopper"]
