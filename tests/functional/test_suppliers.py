"""/v1/suppliers: the same use cases as buyers (one service serves both), checked here for
what differs: the Supplier model, the supplier roles, and supplier users' boundaries."""

from __future__ import annotations

from typing import Any

import httpx
import jwt
import pytest

from gatehouse.runtime import Runtime
from tests.factories.companies import (
    PASSWORD,
    company_rows,
    company_user_headers,
    seed_company_data,
)
from tests.factories.marketplaces import Marketplace, password_token

pytestmark = pytest.mark.asyncio


def supplier(**fields: Any) -> dict[str, Any]:
    return {"ID": "parts", "Name": "Parts Inc", **fields}


async def seller_token(runtime: Runtime, mp: Marketplace, *roles: str) -> dict[str, str]:
    """The marketplace admin's token re-signed with only ``roles``."""
    claims = jwt.decode(mp.token, options={"verify_signature": False})
    return {"Authorization": f"Bearer {await runtime.codec.sign({**claims, 'role': roles})}"}


async def test_create_get_list_patch_put_delete(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    created = await client.post(
        "/v1/suppliers", headers=marketplace.auth, json=supplier(xp={"a": {"b": 1}})
    )
    assert created.status_code == 201
    assert created.headers["Location"].endswith("/v1/suppliers/parts")
    body = created.json()
    assert list(body) == ["ID", "Name", "Active", "DateCreated", "AllBuyersCanOrder", "xp"]
    assert (body["Active"], body["AllBuyersCanOrder"]) == (False, False)
    assert (await client.get("/v1/suppliers/parts", headers=marketplace.auth)).json() == body

    patched = await client.patch(
        "/v1/suppliers/parts",
        headers=marketplace.auth,
        json={"AllBuyersCanOrder": True, "xp": {"a": {"c": 2}}, "DefaultCatalogID": "ignored"},
    )
    assert patched.json() == {**body, "AllBuyersCanOrder": True, "xp": {"a": {"b": 1, "c": 2}}}
    replaced = await client.put(
        "/v1/suppliers/parts", headers=marketplace.auth, json={"Name": "P2", "Active": True}
    )
    assert replaced.json() == {**body, "Name": "P2", "Active": True, "xp": None}
    created_by_put = await client.put(
        "/v1/suppliers/other", headers=marketplace.auth, json={"Name": "O"}
    )
    assert created_by_put.status_code == 200 and created_by_put.json()["ID"] == "other"
    again = await client.post("/v1/suppliers", headers=marketplace.auth, json=supplier())
    assert again.status_code == 409
    assert again.json()["Errors"][0]["Data"] == {"ObjectType": "Supplier", "ObjectID": "parts"}

    assert (await client.delete("/v1/suppliers/parts", headers=marketplace.auth)).status_code == 204
    gone = await client.get("/v1/suppliers/parts", headers=marketplace.auth)
    assert gone.json()["Errors"][0]["Data"] == {"ObjectType": "Supplier", "ObjectID": "parts"}


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"Name": None}, "RequiredField"),
        ({"Name": "n" * 101}, "ValidationFailure"),
        ({"ID": "a b"}, "ValidationFailure"),
        ({"AllBuyersCanOrder": "true"}, "ValidationFailure"),
        ({"Active": 0}, "ValidationFailure"),
        ({"xp": 3}, "ValidationFailure"),
    ],
)
async def test_invalid_suppliers_write_nothing(
    client: httpx.AsyncClient, marketplace: Marketplace, fields: dict[str, Any], code: str
) -> None:
    response = await client.post("/v1/suppliers", headers=marketplace.auth, json=supplier(**fields))
    assert response.status_code == 400
    assert response.json()["Errors"][0]["ErrorCode"] == code
    listed = await client.get("/v1/suppliers", headers=marketplace.auth)
    assert listed.json()["Meta"]["TotalCount"] == 0


async def test_ids_cannot_change(client: httpx.AsyncClient, marketplace: Marketplace) -> None:
    await client.post("/v1/suppliers", headers=marketplace.auth, json=supplier())
    response = await client.patch(
        "/v1/suppliers/parts", headers=marketplace.auth, json={"ID": "renamed"}
    )
    assert response.status_code == 400
    assert response.json()["Errors"][0]["ErrorCode"] == "ValidationFailure"


async def test_list_filters(client: httpx.AsyncClient, marketplace: Marketplace) -> None:
    for sid, all_buyers in (("s1", True), ("s2", False)):
        await client.post(
            "/v1/suppliers",
            headers=marketplace.auth,
            json={"ID": sid, "Name": sid, "AllBuyersCanOrder": all_buyers, "xp": {"n": 1}},
        )
    listed = await client.get(
        "/v1/suppliers",
        headers=marketplace.auth,
        params={"AllBuyersCanOrder": "false", "xp.n": ">0", "sortBy": "!ID"},
    )
    assert [s["ID"] for s in listed.json()["Items"]] == ["s2"]
    bad = await client.get(
        "/v1/suppliers", headers=marketplace.auth, params={"DefaultCatalogID": "x"}
    )
    assert bad.json()["Errors"][0]["ErrorCode"] == "List.InvalidProperty"


async def test_roles_and_company_boundaries(
    client: httpx.AsyncClient, marketplace: Marketplace, runtime: Runtime
) -> None:
    for sid in ("own", "other"):
        await client.post(
            "/v1/suppliers", headers=marketplace.auth, json={"ID": sid, "Name": sid, "Active": True}
        )
    await client.post("/v1/buyers", headers=marketplace.auth, json={"ID": "b", "Name": "B"})
    reader = await company_user_headers(
        client, runtime, marketplace, "supplier", "own", "SupplierReader", "BuyerReader"
    )
    listed = await client.get("/v1/suppliers", headers=reader)
    assert [s["ID"] for s in listed.json()["Items"]] == ["own"]
    assert (await client.get("/v1/suppliers/own", headers=reader)).status_code == 200
    other = await client.get("/v1/suppliers/other", headers=reader)
    assert other.status_code == 404
    assert other.json()["Errors"][0]["Data"] == {"ObjectType": "Supplier", "ObjectID": "other"}
    assert (await client.get("/v1/buyers", headers=reader)).json()["Meta"]["TotalCount"] == 0
    assert (await client.get("/v1/buyers/b", headers=reader)).status_code == 404
    refused = await client.put("/v1/suppliers/own", headers=reader, json={"Name": "x"})
    assert refused.status_code == 403
    assert refused.json()["Errors"][0]["ErrorCode"] == "Auth.UserNotAuthorizedToAdmin"


async def test_seller_needs_supplier_roles(
    client: httpx.AsyncClient, marketplace: Marketplace, runtime: Runtime
) -> None:
    reader = await seller_token(runtime, marketplace, "SupplierReader")
    assert (await client.get("/v1/suppliers", headers=reader)).status_code == 200
    refused = await client.post("/v1/suppliers", headers=reader, json=supplier())
    assert refused.status_code == 403
    assert refused.json()["Errors"][0]["Data"]["SufficientRoles"] == [
        "FullAccess",
        "SupplierAdmin",
    ]
    admin = await seller_token(runtime, marketplace, "SupplierAdmin")
    assert (await client.post("/v1/suppliers", headers=admin, json=supplier())).status_code == 201


async def test_delete_cascades_and_default_context_user_blocks_it(
    client: httpx.AsyncClient, marketplace: Marketplace, runtime: Runtime
) -> None:
    for sid in ("doomed", "kept"):
        await client.post("/v1/suppliers", headers=marketplace.auth, json={"ID": sid, "Name": sid})
    client_id = await seed_company_data(client, runtime, marketplace, "supplier", "doomed")
    await seed_company_data(client, runtime, marketplace, "supplier", "kept")
    await client.patch(
        f"/v1/apiclients/{client_id}",
        headers=marketplace.auth,
        json={"DefaultContextUserName": "supplier-doomed-u1"},
    )
    refused = await client.delete("/v1/suppliers/doomed", headers=marketplace.auth)
    assert refused.status_code == 409
    assert refused.json()["Errors"][0]["Data"] == {"ObjectType": "SupplierUser", "ObjectID": "u1"}
    assert await company_rows(runtime, marketplace, "supplier", "doomed") == [1, 1, 1, 1, 3]

    await client.delete(f"/v1/apiclients/{client_id}", headers=marketplace.auth)
    assert (
        await client.delete("/v1/suppliers/doomed", headers=marketplace.auth)
    ).status_code == 204
    assert await company_rows(runtime, marketplace, "supplier", "doomed") == [0, 0, 0, 0, 0]
    assert await company_rows(runtime, marketplace, "supplier", "kept") == [1, 1, 1, 1, 3]


async def test_inactive_supplier_users_cannot_log_in(
    client: httpx.AsyncClient, marketplace: Marketplace, runtime: Runtime
) -> None:
    await client.post("/v1/suppliers", headers=marketplace.auth, json=supplier())
    client_id = await seed_company_data(client, runtime, marketplace, "supplier", "parts")
    refused = await password_token(client, client_id, "supplier-parts-u1", PASSWORD)
    assert refused.status_code == 400
    assert refused.json()["Errors"][0]["ErrorCode"] == "Auth.CompanyNotActive"
    await client.patch("/v1/suppliers/parts", headers=marketplace.auth, json={"Active": True})
    assert (
        await password_token(client, client_id, "supplier-parts-u1", PASSWORD)
    ).status_code == 200
