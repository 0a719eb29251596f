"""/v1/buyers/{buyerID}/users: CRUD, the buyer must exist, usernames unique across every
company and user type, roles and the organisation boundary, login and unlock.

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
    headers_with,
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


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/buyers/nope/users"),
        ("POST", "/v1/buyers/nope/users"),
        ("GET", "/v1/buyers/nope/users/jane"),
        ("PUT", "/v1/buyers/nope/users/jane"),
        ("PATCH", "/v1/buyers/nope/users/jane"),
        ("DELETE", "/v1/buyers/nope/users/jane"),
        ("POST", "/v1/buyers/nope/users/jane/unlock"),
    ],
)
async def test_unknown_buyer_is_not_found(
    client: httpx.AsyncClient, buyers: Marketplace, method: str, path: str
) -> None:
    response = await client.request(method, path, headers=buyers.auth, json=user())
    assert response.status_code == 404
    assert error_of(response)["Data"] == {"ObjectType": "Buyer", "ObjectID": "nope"}


async def test_a_supplier_is_not_a_buyer(
    client: httpx.AsyncClient, buyers: Marketplace, runtime: Runtime
) -> None:
    await add_companies(runtime, buyers, "supplier", "acme")
    response = await client.get("/v1/buyers/acme/users", headers=buyers.auth)
    assert response.status_code == 404
    assert error_of(response)["Data"] == {"ObjectType": "Buyer", "ObjectID": "acme"}


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


async def test_reader_reads_and_admin_writes(
    client: httpx.AsyncClient, buyers: Marketplace, runtime: Runtime
) -> None:
    await client.post("/v1/buyers/buyer-a/users", headers=buyers.auth, json=user())
    reader = await headers_with(runtime, buyers, ["BuyerUserReader"])
    assert (await client.get("/v1/buyers/buyer-a/users", headers=reader)).status_code == 200
    assert (await client.get("/v1/buyers/buyer-a/users/jane", headers=reader)).status_code == 200
    refused = await client.post(
        "/v1/buyers/buyer-a/users", headers=reader, json=user(ID="x", Username="x")
    )
    assert refused.status_code == 403
    assert error_of(refused)["Data"]["SufficientRoles"] == ["FullAccess", "BuyerUserAdmin"]
    unlock = await client.post("/v1/buyers/buyer-a/users/jane/unlock", headers=reader)
    assert unlock.status_code == 403
    admin = await headers_with(runtime, buyers, ["BuyerUserAdmin"])
    created = await client.post(
        "/v1/buyers/buyer-a/users", headers=admin, json=user(ID="x", Username="x")
    )
    assert created.status_code == 201


async def test_a_buyer_user_admin_manages_only_their_own_buyer(
    client: httpx.AsyncClient, buyers: Marketplace
) -> None:
    await client.post("/v1/buyers/buyer-a/users", headers=buyers.auth, json=user())
    await client.post(
        "/v1/buyers/buyer-b/users", headers=buyers.auth, json=user(ID="b", Username="b")
    )
    await client.post(
        "/v1/securityprofiles",
        headers=buyers.auth,
        json={"ID": "useradmin", "Name": "User admin", "Roles": ["BuyerUserAdmin"]},
    )
    await client.post(
        "/v1/securityprofiles/assignments",
        headers=buyers.auth,
        json={"SecurityProfileID": "useradmin", "BuyerID": "buyer-a", "UserID": "jane"},
    )
    login = await password_token(client, await company_client(client, buyers), "jane", PASSWORD)
    auth = {"Authorization": f"Bearer {login.json()['access_token']}"}

    own = await client.post(
        "/v1/buyers/buyer-a/users", headers=auth, json=user(ID="new", Username="new")
    )
    assert own.status_code == 201
    for method, path in [
        ("GET", "/v1/buyers/buyer-b/users"),
        ("GET", "/v1/buyers/buyer-b/users/b"),
        ("DELETE", "/v1/buyers/buyer-b/users/b"),
        ("POST", "/v1/buyers/buyer-b/users/b/unlock"),
    ]:
        response = await client.request(method, path, headers=auth)
        assert response.status_code == 404, path
        assert error_of(response)["Data"] == {"ObjectType": "Buyer", "ObjectID": "buyer-b"}
    assert (await client.get("/v1/buyers/buyer-b/users/b", headers=buyers.auth)).status_code == 200
    seller_only = await client.get("/v1/adminusers", headers=auth)
    assert error_of(seller_only)["ErrorCode"] == "Auth.UserNotAuthorizedToAdmin"


async def test_unlock_is_204_and_idempotent(client: httpx.AsyncClient, buyers: Marketplace) -> None:
    await client.post("/v1/buyers/buyer-a/users", headers=buyers.auth, json=user())
    for _ in range(2):
        response = await client.post("/v1/buyers/buyer-a/users/jane/unlock", headers=buyers.auth)
        assert response.status_code == 204 and response.content == b""
    unknown = await client.post("/v1/buyers/buyer-a/users/nobody/unlock", headers=buyers.auth)
    assert error_of(unknown)["Data"] == {"ObjectType": "User", "ObjectID": "nobody"}


async def test_failed_login_attempts_is_read_only(
    client: httpx.AsyncClient, buyers: Marketplace
) -> None:
    created = await client.post(
        "/v1/buyers/buyer-a/users", headers=buyers.auth, json=user(FailedLoginAttempts=7)
    )
    assert created.json()["FailedLoginAttempts"] == 0
    patched = await client.patch(
        "/v1/buyers/buyer-a/users/jane", headers=buyers.auth, json={"FailedLoginAttempts": 3}
    )
    assert patched.json()["FailedLoginAttempts"] == 0
