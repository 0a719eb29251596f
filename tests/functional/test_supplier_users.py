"""/v1/suppliers/{supplierID}/users: the same use cases as buyer users (one service serves
both), so these tests cover what differs: the paths, the supplier check, the roles, the
organisation boundary and the supplier user's token."""

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
async def suppliers(runtime: Runtime, marketplace: Marketplace) -> Marketplace:
    await add_companies(runtime, marketplace, "supplier", "acme", "globex")
    return marketplace


async def test_create_get_list_put_patch_delete(
    client: httpx.AsyncClient, suppliers: Marketplace
) -> None:
    url = "/v1/suppliers/acme/users"
    created = await client.post(url, headers=suppliers.auth, json=user())
    assert created.status_code == 201, created.text
    assert created.headers["Location"].endswith("/v1/suppliers/acme/users/jane")
    body = created.json()
    assert body["CompanyID"] == "acme" and body["FailedLoginAttempts"] == 0
    assert (await client.get(f"{url}/jane", headers=suppliers.auth)).json() == body
    assert [u["ID"] for u in (await client.get(url, headers=suppliers.auth)).json()["Items"]] == [
        "jane"
    ]
    assert (await client.get("/v1/suppliers/globex/users", headers=suppliers.auth)).json()[
        "Items"
    ] == []
    put = await client.put(f"{url}/jane", headers=suppliers.auth, json=user(ID=None, Phone="1"))
    assert put.json()["Phone"] == "1"
    patched = await client.patch(f"{url}/jane", headers=suppliers.auth, json={"Active": False})
    assert patched.json()["Active"] is False and patched.json()["Phone"] == "1"
    assert (await client.delete(f"{url}/jane", headers=suppliers.auth)).status_code == 204
    gone = await client.get(f"{url}/jane", headers=suppliers.auth)
    assert error_of(gone)["Data"] == {"ObjectType": "SupplierUser", "ObjectID": "jane"}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/suppliers/nope/users"),
        ("POST", "/v1/suppliers/nope/users"),
        ("GET", "/v1/suppliers/nope/users/jane"),
        ("PUT", "/v1/suppliers/nope/users/jane"),
        ("PATCH", "/v1/suppliers/nope/users/jane"),
        ("DELETE", "/v1/suppliers/nope/users/jane"),
        ("POST", "/v1/suppliers/nope/users/jane/unlock"),
    ],
)
async def test_unknown_supplier_is_not_found(
    client: httpx.AsyncClient, suppliers: Marketplace, method: str, path: str
) -> None:
    response = await client.request(method, path, headers=suppliers.auth, json=user())
    assert response.status_code == 404
    assert error_of(response)["Data"] == {"ObjectType": "Supplier", "ObjectID": "nope"}


async def test_usernames_are_unique_against_buyer_users(
    client: httpx.AsyncClient, suppliers: Marketplace, runtime: Runtime
) -> None:
    await add_companies(runtime, suppliers, "buyer", "buyer-a")
    await client.post("/v1/buyers/buyer-a/users", headers=suppliers.auth, json=user())
    taken = await client.post(
        "/v1/suppliers/acme/users", headers=suppliers.auth, json=user(Username="JaNe")
    )
    assert taken.status_code == 409
    assert error_of(taken)["ErrorCode"] == "User.UsernameMustBeUnique"


async def test_supplier_roles(
    client: httpx.AsyncClient, suppliers: Marketplace, runtime: Runtime
) -> None:
    await client.post("/v1/suppliers/acme/users", headers=suppliers.auth, json=user())
    reader = await headers_with(runtime, suppliers, ["SupplierUserReader"])
    assert (await client.get("/v1/suppliers/acme/users", headers=reader)).status_code == 200
    refused = await client.post("/v1/suppliers/acme/users/jane/unlock", headers=reader)
    assert refused.status_code == 403
    assert error_of(refused)["Data"]["SufficientRoles"] == ["FullAccess", "SupplierUserAdmin"]
    buyer_admin = await headers_with(runtime, suppliers, ["BuyerUserAdmin"])
    assert (await client.get("/v1/suppliers/acme/users", headers=buyer_admin)).status_code == 403
    admin = await headers_with(runtime, suppliers, ["SupplierUserAdmin"])
    unlocked = await client.post("/v1/suppliers/acme/users/jane/unlock", headers=admin)
    assert unlocked.status_code == 204


async def test_a_supplier_user_stays_inside_their_supplier(
    client: httpx.AsyncClient, suppliers: Marketplace
) -> None:
    await client.post("/v1/suppliers/acme/users", headers=suppliers.auth, json=user())
    await client.post(
        "/v1/securityprofiles",
        headers=suppliers.auth,
        json={"ID": "sua", "Name": "Supplier user admin", "Roles": ["SupplierUserAdmin"]},
    )
    await client.post(
        "/v1/securityprofiles/assignments",
        headers=suppliers.auth,
        json={"SecurityProfileID": "sua", "SupplierID": "acme"},
    )
    login = await password_token(client, await company_client(client, suppliers), "jane", PASSWORD)
    assert login.status_code == 200, login.text
    token = login.json()["access_token"]
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["usrtype"] == "supplier" and claims["role"] == "SupplierUserAdmin"
    auth = {"Authorization": f"Bearer {token}"}
    assert (await client.get("/v1/suppliers/acme/users", headers=auth)).status_code == 200
    other = await client.get("/v1/suppliers/globex/users", headers=auth)
    assert other.status_code == 404
    assert error_of(other)["Data"] == {"ObjectType": "Supplier", "ObjectID": "globex"}
