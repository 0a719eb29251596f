"""/v1/buyers: CRUD, PUT create-or-replace, PATCH deep-merge, lists, bad input and concurrent
duplicates. What buyers share with suppliers (boundaries, roles, cascading DELETE, inactive
companies) runs for both kinds in ``test_companies``."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import httpx
import pytest

from tests.factories.marketplaces import Marketplace

pytestmark = pytest.mark.asyncio


def buyer(**fields: Any) -> dict[str, Any]:
    return {"ID": "acme", "Name": "Acme", **fields}


async def test_create_get_list_patch_put_delete(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    created = await client.post(
        "/v1/buyers", headers=marketplace.auth, json=buyer(xp={"a": {"b": 1}}, DateCreated="x")
    )
    assert created.status_code == 201
    assert created.headers["Location"].endswith("/v1/buyers/acme")
    body = created.json()
    assert list(body) == ["ID", "Name", "DefaultCatalogID", "Active", "DateCreated", "xp"]
    assert body["Active"] is False and body["DefaultCatalogID"] is None
    assert datetime.fromisoformat(body["DateCreated"]).tzinfo is not None
    assert (await client.get("/v1/buyers/acme", headers=marketplace.auth)).json() == body

    listed = await client.get("/v1/buyers", headers=marketplace.auth, params={"search": "acm"})
    assert listed.json()["Items"] == [body]
    patched = await client.patch(
        "/v1/buyers/acme",
        headers=marketplace.auth,
        json={"Active": True, "xp": {"a": {"c": 2}}, "Name": None},
    )
    assert patched.status_code == 200
    assert patched.json() == {**body, "Active": True, "xp": {"a": {"b": 1, "c": 2}}}

    replaced = await client.put(
        "/v1/buyers/acme", headers=marketplace.auth, json={"Name": "Acme 2", "ID": "acme"}
    )
    assert replaced.json() == {**body, "Name": "Acme 2", "xp": None}  # omitted → defaults
    assert (await client.delete("/v1/buyers/acme", headers=marketplace.auth)).status_code == 204
    gone = await client.get("/v1/buyers/acme", headers=marketplace.auth)
    assert gone.status_code == 404
    assert gone.json()["Errors"][0]["Data"] == {"ObjectType": "Buyer", "ObjectID": "acme"}


async def test_generated_id_and_put_creates(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    created = await client.post("/v1/buyers", headers=marketplace.auth, json={"Name": "N"})
    assert len(created.json()["ID"]) == 22
    put = await client.put(
        "/v1/buyers/new-one",
        headers=marketplace.auth,
        json={"Name": "New", "Active": True, "DefaultCatalogID": "cat_1"},
    )
    assert put.status_code == 200
    assert put.json()["ID"] == "new-one" and put.json()["DefaultCatalogID"] == "cat_1"
    got = await client.get("/v1/buyers/new-one", headers=marketplace.auth)
    assert got.json() == put.json()


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"Name": None}, "RequiredField"),
        ({"Name": ""}, "RequiredField"),
        ({"Name": "   "}, "RequiredField"),
        ({"Name": "n" * 101}, "ValidationFailure"),
        ({"Name": 5}, "ValidationFailure"),
        ({"ID": "bad id!"}, "ValidationFailure"),
        ({"ID": "x" * 101}, "ValidationFailure"),
        ({"ID": 7}, "ValidationFailure"),
        ({"Active": "yes"}, "ValidationFailure"),
        ({"DefaultCatalogID": "no/slash"}, "ValidationFailure"),
        ({"xp": [1]}, "ValidationFailure"),
        ({"xp": {"k": "v" * 9000}}, "ValidationFailure"),
    ],
)
async def test_invalid_buyers_write_nothing(
    client: httpx.AsyncClient, marketplace: Marketplace, fields: dict[str, Any], code: str
) -> None:
    responses = [await client.post("/v1/buyers", headers=marketplace.auth, json=buyer(**fields))]
    if "ID" not in fields:
        responses.append(
            await client.put("/v1/buyers/acme", headers=marketplace.auth, json=buyer(**fields))
        )
    for response in responses:
        assert response.status_code == 400, response.text
        assert response.json()["Errors"][0]["ErrorCode"] == code
    listed = await client.get("/v1/buyers", headers=marketplace.auth)
    assert listed.json()["Meta"]["TotalCount"] == 0


@pytest.mark.parametrize("path_id", ["bad%20id", "x" * 101, "a.b"])
async def test_put_refuses_illegal_path_ids(
    client: httpx.AsyncClient, marketplace: Marketplace, path_id: str
) -> None:
    response = await client.put(
        f"/v1/buyers/{path_id}", headers=marketplace.auth, json=buyer(ID=None)
    )
    assert response.status_code == 400
    assert response.json()["Errors"][0]["Data"] == {"Field": "ID"}


@pytest.mark.parametrize("raw", [b"{", b"[]", b"null", b'"x"'])
async def test_malformed_bodies(
    client: httpx.AsyncClient, marketplace: Marketplace, raw: bytes
) -> None:
    headers = {**marketplace.auth, "Content-Type": "application/json"}
    response = await client.post("/v1/buyers", headers=headers, content=raw)
    assert response.status_code == 400
    assert response.json()["Errors"][0]["ErrorCode"] in (
        "Request.InvalidRequestBody",
        "ValidationFailure",  # truncated JSON: the global handler reports the error position
    )
    listed = await client.get("/v1/buyers", headers=marketplace.auth)
    assert listed.json()["Meta"]["TotalCount"] == 0


async def test_patch_validates_the_merged_buyer(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    await client.post("/v1/buyers", headers=marketplace.auth, json=buyer(xp={"keep": 1}))
    for change in ({"Name": ""}, {"Name": "n" * 101}, {"Active": 1}, {"xp": "text"}):
        response = await client.patch("/v1/buyers/acme", headers=marketplace.auth, json=change)
        assert response.status_code == 400, change
    got = (await client.get("/v1/buyers/acme", headers=marketplace.auth)).json()
    assert (got["Name"], got["xp"]) == ("Acme", {"keep": 1})
    unknown = await client.patch("/v1/buyers/nope", headers=marketplace.auth, json={"Name": "x"})
    assert unknown.status_code == 404
    assert (await client.delete("/v1/buyers/nope", headers=marketplace.auth)).status_code == 404


async def test_duplicate_ids_conflict_also_concurrently(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    await client.post("/v1/buyers", headers=marketplace.auth, json=buyer())
    again = await client.post("/v1/buyers", headers=marketplace.auth, json=buyer(Name="Other"))
    assert again.status_code == 409
    assert again.json()["Errors"][0]["ErrorCode"] == "IdExists"
    assert again.json()["Errors"][0]["Data"] == {"ObjectType": "Buyer", "ObjectID": "acme"}

    posts = await asyncio.gather(
        *(
            client.post("/v1/buyers", headers=marketplace.auth, json=buyer(ID="race"))
            for _ in range(5)
        )
    )
    assert sorted(r.status_code for r in posts) == [201, 409, 409, 409, 409]
    puts = await asyncio.gather(
        *(
            client.put("/v1/buyers/put-race", headers=marketplace.auth, json={"Name": f"n{i}"})
            for i in range(5)
        )
    )
    assert [r.status_code for r in puts] == [200] * 5
    listed = await client.get("/v1/buyers", headers=marketplace.auth)
    assert listed.json()["Meta"]["TotalCount"] == 3


async def test_list_filters_sorts_and_errors(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    for bid, name, active, region in (("b1", "Zeta", True, "eu"), ("b2", "Alpha", False, "us")):
        await client.post(
            "/v1/buyers",
            headers=marketplace.auth,
            json={"ID": bid, "Name": name, "Active": active, "xp": {"region": region}},
        )

    async def ids(**params: str) -> list[str]:
        response = await client.get("/v1/buyers", headers=marketplace.auth, params=params)
        assert response.status_code == 200, response.text
        return [item["ID"] for item in response.json()["Items"]]

    assert await ids(sortBy="Name") == ["b2", "b1"]
    assert await ids(sortBy="!DateCreated,ID") in (["b2", "b1"], ["b1", "b2"])
    assert await ids(Active="true") == ["b1"]
    assert await ids(**{"xp.region": "e*"}) == ["b1"]
    assert await ids(Name="!Zeta") == ["b2"]
    assert await ids(DefaultCatalogID="!*") == ["b1", "b2"]
    assert await ids(search="alp", searchOn="Name") == ["b2"]
    bad = await client.get("/v1/buyers", headers=marketplace.auth, params={"sortBy": "Active"})
    assert bad.status_code == 400
    assert bad.json()["Errors"][0]["ErrorCode"] == "List.InvalidSortProperty"
