"""/v1/suppliers/{supplierID}/users: the supplier user's own paths and model, and usernames
shared with buyer users. What buyer and supplier users share runs for both in
``test_company_users``."""

from __future__ import annotations

import httpx
import pytest

from gatehouse.runtime import Runtime
from tests.factories.companies import (
    add_companies,
    error_of,
    user,
)
from tests.factories.marketplaces import Marketplace

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
