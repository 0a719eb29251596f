"""/v1/buyers: CRUD, PUT create-or-replace, PATCH deep-merge, lists, bad input, who may see
which buyer, the all-or-nothing cascading DELETE, and inactive buyers' users refused at login.

The helpers take the company kind so ``test_suppliers`` reuses them."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from gatehouse.domain.users import UserType
from gatehouse.runtime import Runtime
from gatehouse.services.users import UserScope
from gatehouse.storage.models import (
    ApiClientAssignmentRow,
    BuyerRow,
    SecurityProfileAssignmentRow,
    UserGroupAssignmentRow,
    UserGroupRow,
    UserRow,
)
from tests.conftest import Marketplace, password_token

pytestmark = pytest.mark.asyncio
PASSWORD = "Passw0rdPassw0rd"


def buyer(**fields: Any) -> dict[str, Any]:
    return {"ID": "acme", "Name": "Acme", **fields}


async def add_user(runtime: Runtime, mp: Marketplace, kind: str, company: str, uid: str) -> int:
    """A user of ``company`` (through the service, as the user routes are another issue)."""
    view = await runtime.services.users.create(
        mp.id,
        UserScope(UserType(kind), company),
        {
            "id": uid,
            "username": f"{kind}-{company}-{uid}",
            "password": PASSWORD,
            "first_name": "F",
            "last_name": "L",
            "email": "u@example.com",
            "active": True,
        },
    )
    return view.user.internal_id


async def company_user_headers(
    http: httpx.AsyncClient, runtime: Runtime, mp: Marketplace, kind: str, company: str, *roles: str
) -> dict[str, str]:
    """A real login of a new user of ``company`` holding ``roles`` (through a company-level
    security profile and a client assigned to the company)."""
    party = {"buyer": "BuyerID", "supplier": "SupplierID"}[kind]
    await add_user(runtime, mp, kind, company, "me")
    profile = f"{kind}-{company}-profile"
    await http.post(
        "/v1/securityprofiles", headers=mp.auth, json={"ID": profile, "Name": "P", "Roles": roles}
    )
    saved = await http.post(
        "/v1/securityprofiles/assignments",
        headers=mp.auth,
        json={"SecurityProfileID": profile, party: company},
    )
    assert saved.status_code == 204, saved.text
    app = await http.post(
        "/v1/apiclients", headers=mp.auth, json={"AppName": "Shop", "AccessTokenDuration": 60}
    )
    client_id = app.json()["ID"]
    await http.post(
        "/v1/apiclients/assignments",
        headers=mp.auth,
        json={"ApiClientID": client_id, party: company},
    )
    token = await password_token(http, client_id, f"{kind}-{company}-me", PASSWORD)
    assert token.status_code == 200, token.text
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


async def count(runtime: Runtime, model: Any, *where: Any) -> int:
    async with runtime.db.read() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


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


async def test_ids_cannot_change(client: httpx.AsyncClient, marketplace: Marketplace) -> None:
    await client.post("/v1/buyers", headers=marketplace.auth, json=buyer())
    for method in ("PATCH", "PUT"):
        response = await client.request(
            method, "/v1/buyers/acme", headers=marketplace.auth, json=buyer(ID="other")
        )
        assert response.status_code == 400
        assert response.json()["Errors"][0]["Data"] == {"Field": "ID"}
    listed = await client.get("/v1/buyers", headers=marketplace.auth)
    assert [b["ID"] for b in listed.json()["Items"]] == ["acme"]


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


async def test_roles_and_company_boundaries(
    client: httpx.AsyncClient, marketplace: Marketplace, runtime: Runtime
) -> None:
    for bid in ("own", "other"):
        await client.post(
            "/v1/buyers", headers=marketplace.auth, json={"ID": bid, "Name": bid, "Active": True}
        )
    await client.post("/v1/suppliers", headers=marketplace.auth, json={"ID": "sup", "Name": "S"})
    reader = await company_user_headers(
        client, runtime, marketplace, "buyer", "own", "BuyerReader", "BuyerAdmin", "SupplierReader"
    )
    listed = await client.get("/v1/buyers", headers=reader)
    assert [b["ID"] for b in listed.json()["Items"]] == ["own"]
    assert (await client.get("/v1/buyers/own", headers=reader)).status_code == 200
    other = await client.get("/v1/buyers/other", headers=reader)
    assert other.status_code == 404
    assert other.json()["Errors"][0]["Data"] == {"ObjectType": "Buyer", "ObjectID": "other"}
    assert (await client.get("/v1/suppliers", headers=reader)).json()["Items"] == []
    assert (await client.get("/v1/suppliers/sup", headers=reader)).status_code == 404
    for method, path in (("POST", "/v1/buyers"), ("PATCH", "/v1/buyers/own")):
        refused = await client.request(method, path, headers=reader, json={"Name": "x"})
        assert refused.status_code == 403
        assert refused.json()["Errors"][0]["ErrorCode"] == "Auth.UserNotAuthorizedToAdmin"
    assert (await client.delete("/v1/buyers/own", headers=reader)).status_code == 403
    assert (await client.get("/v1/buyers/own", headers=marketplace.auth)).json()["Name"] == "own"


async def test_buyer_users_without_buyer_roles_are_refused(
    client: httpx.AsyncClient, marketplace: Marketplace, runtime: Runtime
) -> None:
    await client.post("/v1/buyers", headers=marketplace.auth, json=buyer(Active=True))
    shopper = await company_user_headers(client, runtime, marketplace, "buyer", "acme", "Shopper")
    for path in ("/v1/buyers", "/v1/buyers/acme"):
        response = await client.get(path, headers=shopper)
        assert response.status_code == 403
        assert response.json()["Errors"][0]["ErrorCode"] == "Auth.InsufficientRoles"


async def seed_company_data(
    http: httpx.AsyncClient, runtime: Runtime, mp: Marketplace, kind: str, company: str
) -> str:
    """A user, a group with that user in it, a client assignment and security profile
    assignments at company, group and user level; returns the client's ID."""
    party = {"buyer": "BuyerID", "supplier": "SupplierID"}[kind]
    internal_id = await add_user(runtime, mp, kind, company, "u1")
    async with runtime.db.write() as session:
        session.add(
            UserGroupRow(
                marketplace_id=mp.id,
                owner_type=kind,
                company_id=company,
                id="g1",
                name="G",
                created_at=datetime.now(UTC),
            )
        )
        await session.flush()
        session.add(
            UserGroupAssignmentRow(
                marketplace_id=mp.id,
                owner_type=kind,
                company_id=company,
                user_group_id="g1",
                user_internal_id=internal_id,
            )
        )
        for level in ({}, {"user_group_id": "g1"}, {"user_id": "u1"}):
            session.add(
                SecurityProfileAssignmentRow(
                    marketplace_id=mp.id,
                    security_profile_id="FullAccess",
                    buyer_id=company if kind == "buyer" else "",
                    supplier_id=company if kind == "supplier" else "",
                    **level,
                )
            )
    app = await http.post(
        "/v1/apiclients", headers=mp.auth, json={"AppName": "Shop", "AccessTokenDuration": 60}
    )
    client_id: str = app.json()["ID"]
    await http.post(
        "/v1/apiclients/assignments",
        headers=mp.auth,
        json={"ApiClientID": client_id, party: company},
    )
    return client_id


async def company_rows(runtime: Runtime, mp: Marketplace, kind: str, company: str) -> list[int]:
    """How many users, groups, memberships, client and profile assignments ``company`` has."""
    spa, aca = SecurityProfileAssignmentRow, ApiClientAssignmentRow
    spa_party = spa.buyer_id if kind == "buyer" else spa.supplier_id
    aca_party = aca.buyer_id if kind == "buyer" else aca.supplier_id
    owned = (UserGroupRow.owner_type == kind, UserGroupRow.company_id == company)
    return [
        await count(
            runtime, UserRow, UserRow.marketplace_id == mp.id, UserRow.company_id == company
        ),
        await count(runtime, UserGroupRow, UserGroupRow.marketplace_id == mp.id, *owned),
        await count(
            runtime,
            UserGroupAssignmentRow,
            UserGroupAssignmentRow.marketplace_id == mp.id,
            UserGroupAssignmentRow.company_id == company,
        ),
        await count(runtime, aca, aca.marketplace_id == mp.id, aca_party == company),
        await count(runtime, spa, spa.marketplace_id == mp.id, spa_party == company),
    ]


async def test_delete_removes_everything_of_that_buyer_only(
    client: httpx.AsyncClient, marketplace: Marketplace, runtime: Runtime
) -> None:
    for bid in ("doomed", "kept"):
        await client.post("/v1/buyers", headers=marketplace.auth, json={"ID": bid, "Name": bid})
        await seed_company_data(client, runtime, marketplace, "buyer", bid)
    assert await company_rows(runtime, marketplace, "buyer", "doomed") == [1, 1, 1, 1, 3]

    assert (await client.delete("/v1/buyers/doomed", headers=marketplace.auth)).status_code == 204
    assert await company_rows(runtime, marketplace, "buyer", "doomed") == [0, 0, 0, 0, 0]
    assert await company_rows(runtime, marketplace, "buyer", "kept") == [1, 1, 1, 1, 3]
    assert await count(runtime, BuyerRow, BuyerRow.marketplace_id == marketplace.id) == 1
    seller = await client.get("/v1/adminusers", headers=marketplace.auth)
    assert seller.json()["Meta"]["TotalCount"] == 1  # the seller's own users are untouched


async def test_default_context_user_blocks_delete(
    client: httpx.AsyncClient, marketplace: Marketplace, runtime: Runtime
) -> None:
    await client.post("/v1/buyers", headers=marketplace.auth, json=buyer())
    client_id = await seed_company_data(client, runtime, marketplace, "buyer", "acme")
    await client.patch(
        f"/v1/apiclients/{client_id}",
        headers=marketplace.auth,
        json={"DefaultContextUserName": "BUYER-ACME-U1"},
    )
    refused = await client.delete("/v1/buyers/acme", headers=marketplace.auth)
    assert refused.status_code == 409
    error = refused.json()["Errors"][0]
    assert error["ErrorCode"] == "User.CannotDeleteDefaultContextUser"
    assert error["Data"] == {"ObjectType": "User", "ObjectID": "u1"}
    assert await company_rows(runtime, marketplace, "buyer", "acme") == [1, 1, 1, 1, 3]
    assert (await client.get("/v1/buyers/acme", headers=marketplace.auth)).status_code == 200

    await client.delete(f"/v1/apiclients/{client_id}", headers=marketplace.auth)
    assert (await client.delete("/v1/buyers/acme", headers=marketplace.auth)).status_code == 204
    assert await company_rows(runtime, marketplace, "buyer", "acme") == [0, 0, 0, 0, 0]


async def test_inactive_buyer_users_cannot_log_in(
    client: httpx.AsyncClient, marketplace: Marketplace, runtime: Runtime
) -> None:
    await client.post("/v1/buyers", headers=marketplace.auth, json=buyer())  # Active: false
    client_id = await seed_company_data(client, runtime, marketplace, "buyer", "acme")
    refused = await password_token(client, client_id, "buyer-acme-u1", PASSWORD)
    assert refused.status_code == 400
    assert refused.json()["error"] == "invalid_grant"
    assert refused.json()["Errors"][0]["ErrorCode"] == "Auth.CompanyNotActive"
    await client.patch("/v1/buyers/acme", headers=marketplace.auth, json={"Active": True})
    allowed = await password_token(client, client_id, "buyer-acme-u1", PASSWORD)
    assert allowed.status_code == 200, allowed.text
