"""/v1/suppliers: what differs from buyers, the Supplier model and its list fields. What the
two kinds share runs for both in ``test_companies``."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.factories.marketplaces import Marketplace

pytestmark = pytest.mark.asyncio


def supplier(**fields: Any) -> dict[str, Any]:
    return {"ID": "parts", "Name": "Parts Inc", **fields}


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
