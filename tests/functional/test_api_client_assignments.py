"""ApiClient assignments: list, save (204, idempotent), the two DELETE paths, counts, and the
access decision they feed. Buyers and suppliers are inserted directly until their resources
exist."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import httpx
import pytest

from gatehouse.runtime import Runtime
from gatehouse.storage.models import BuyerRow, SupplierRow
from tests.factories.marketplaces import Marketplace

pytestmark = pytest.mark.asyncio


async def add_companies(runtime: Runtime, mp: Marketplace) -> None:
    now = datetime.now(UTC)
    async with runtime.db.write() as session:
        for buyer in ("buyer-a", "buyer-b"):
            session.add(
                BuyerRow(marketplace_id=mp.id, id=buyer, name=buyer, active=True, created_at=now)
            )
        session.add(
            SupplierRow(
                marketplace_id=mp.id, id="supplier-a", name="s", active=True, created_at=now
            )
        )


async def new_client(client: httpx.AsyncClient, mp: Marketplace) -> str:
    response = await client.post(
        "/v1/apiclients", headers=mp.auth, json={"AppName": "Storefront", "AccessTokenDuration": 60}
    )
    client_id: str = response.json()["ID"]
    return client_id


async def save(client: httpx.AsyncClient, mp: Marketplace, **body: str) -> httpx.Response:
    return await client.post("/v1/apiclients/assignments", headers=mp.auth, json=body)


async def test_save_list_count_and_delete(
    client: httpx.AsyncClient, marketplace: Marketplace, runtime: Runtime
) -> None:
    await add_companies(runtime, marketplace)
    cid = await new_client(client, marketplace)
    assert (await save(client, marketplace, ApiClientID=cid, BuyerID="buyer-a")).status_code == 204
    assert (await save(client, marketplace, ApiClientID=cid, BuyerID="buyer-a")).status_code == 204
    assert (
        await save(client, marketplace, ApiClientID=cid.upper(), BuyerID="buyer-b")
    ).status_code == 204
    assert (
        await save(client, marketplace, ApiClientID=cid, SupplierID="supplier-a")
    ).status_code == 204

    listed = (
        await client.get(
            "/v1/apiclients/assignments", headers=marketplace.auth, params={"apiClientID": cid}
        )
    ).json()
    assert listed["Meta"]["TotalCount"] == 3
    assert {"ApiClientID": cid, "BuyerID": "buyer-a", "SupplierID": None} in listed["Items"]
    assert {"ApiClientID": cid, "BuyerID": None, "SupplierID": "supplier-a"} in listed["Items"]
    by_buyer = (
        await client.get(
            "/v1/apiclients/assignments", headers=marketplace.auth, params={"buyerID": "buyer-b"}
        )
    ).json()
    assert [i["BuyerID"] for i in by_buyer["Items"]] == ["buyer-b"]

    body = (await client.get(f"/v1/apiclients/{cid}", headers=marketplace.auth)).json()
    assert (body["AssignedBuyerCount"], body["AssignedSupplierCount"]) == (2, 1)
    filtered = await client.get(
        "/v1/apiclients", headers=marketplace.auth, params={"AssignedBuyerCount": ">1"}
    )
    assert [c["ID"] for c in filtered.json()["Items"]] == [cid]

    gone = await client.delete(
        f"/v1/buyers/buyer-a/apiclients/assignments/{cid}", headers=marketplace.auth
    )
    assert gone.status_code == 204
    gone = await client.delete(
        f"/v1/suppliers/supplier-a/ApiClients/Assignments/{cid}", headers=marketplace.auth
    )
    assert gone.status_code == 204
    body = (await client.get(f"/v1/apiclients/{cid}", headers=marketplace.auth)).json()
    assert (body["AssignedBuyerCount"], body["AssignedSupplierCount"]) == (1, 0)


async def test_concurrent_identical_saves_are_idempotent(
    client: httpx.AsyncClient, marketplace: Marketplace, runtime: Runtime
) -> None:
    await add_companies(runtime, marketplace)
    cid = await new_client(client, marketplace)
    responses = await asyncio.gather(
        *(save(client, marketplace, ApiClientID=cid, BuyerID="buyer-a") for _ in range(5))
    )
    assert [r.status_code for r in responses] == [204] * 5
    listed = (
        await client.get(
            "/v1/apiclients/assignments", headers=marketplace.auth, params={"apiClientID": cid}
        )
    ).json()
    assert listed["Meta"]["TotalCount"] == 1


@pytest.mark.parametrize(
    ("body", "status", "code", "data"),
    [
        ({"BuyerID": "missing"}, 404, "NotFound", {"ObjectType": "Buyer", "ObjectID": "missing"}),
        (
            {"SupplierID": "missing"},
            404,
            "NotFound",
            {"ObjectType": "Supplier", "ObjectID": "missing"},
        ),
        (
            {"BuyerID": "buyer-a", "SupplierID": "supplier-a"},
            400,
            "PartyAssignment.CannotSpecifyBuyerAndSupplier",
            None,
        ),
        ({}, 400, "RequiredField", {"Field": "BuyerID"}),
    ],
)
async def test_bad_assignments(
    client: httpx.AsyncClient,
    marketplace: Marketplace,
    runtime: Runtime,
    body: dict[str, str],
    status: int,
    code: str,
    data: object,
) -> None:
    await add_companies(runtime, marketplace)
    cid = await new_client(client, marketplace)
    response = await save(client, marketplace, ApiClientID=cid, **body)
    assert response.status_code == status
    assert response.json()["Errors"][0]["ErrorCode"] == code
    assert response.json()["Errors"][0]["Data"] == data
    listed = (await client.get("/v1/apiclients/assignments", headers=marketplace.auth)).json()
    assert listed["Meta"]["TotalCount"] == 0


async def test_unknown_client_and_missing_client_id(
    client: httpx.AsyncClient, marketplace: Marketplace, runtime: Runtime
) -> None:
    await add_companies(runtime, marketplace)
    unknown = await save(client, marketplace, ApiClientID="nope", BuyerID="buyer-a")
    assert unknown.status_code == 404
    assert unknown.json()["Errors"][0]["Data"] == {"ObjectType": "ApiClient", "ObjectID": "nope"}
    missing = await save(client, marketplace, BuyerID="buyer-a")
    assert missing.status_code == 400
    assert missing.json()["Errors"][0]["ErrorCode"] == "RequiredField"


async def test_assignment_list_paging_errors(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    response = await client.get(
        "/v1/apiclients/assignments", headers=marketplace.auth, params={"pageSize": "101"}
    )
    assert response.status_code == 400
    assert response.json()["Errors"][0]["ErrorCode"] == "List.InvalidPageSize"


async def test_deleting_a_client_removes_its_assignments(
    client: httpx.AsyncClient, marketplace: Marketplace, runtime: Runtime
) -> None:
    await add_companies(runtime, marketplace)
    cid = await new_client(client, marketplace)
    await save(client, marketplace, ApiClientID=cid, BuyerID="buyer-a")
    await client.delete(f"/v1/apiclients/{cid}", headers=marketplace.auth)
    listed = (await client.get("/v1/apiclients/assignments", headers=marketplace.auth)).json()
    assert listed["Meta"]["TotalCount"] == 0


async def test_assignment_lets_that_buyers_users_log_in(
    client: httpx.AsyncClient, marketplace: Marketplace, runtime: Runtime
) -> None:
    from gatehouse.domain.users import UserType
    from gatehouse.services.users import UserScope
    from tests.factories.marketplaces import password_token

    await add_companies(runtime, marketplace)
    for buyer in ("buyer-a", "buyer-b"):
        await runtime.services.users.create(
            marketplace.id,
            UserScope(UserType.BUYER, buyer),
            {
                "id": "u1",
                "username": f"shopper-{buyer}",
                "password": "Passw0rdPassw0rd",
                "first_name": "S",
                "last_name": "B",
                "email": "s@example.com",
                "active": True,
            },
        )
    cid = await new_client(client, marketplace)
    refused = await password_token(client, cid, "shopper-buyer-a", "Passw0rdPassw0rd")
    assert refused.json()["Errors"][0]["ErrorCode"] == "Auth.ClientNotAllowedForUser"
    await save(client, marketplace, ApiClientID=cid, BuyerID="buyer-a")
    allowed = await password_token(client, cid, "shopper-buyer-a", "Passw0rdPassw0rd")
    assert allowed.status_code == 200
    other = await password_token(client, cid, "shopper-buyer-b", "Passw0rdPassw0rd")
    assert other.json()["Errors"][0]["ErrorCode"] == "Auth.ClientNotAllowedForUser"
    await client.patch(
        f"/v1/apiclients/{cid}", headers=marketplace.auth, json={"AllowAnyBuyer": True}
    )
    assert (
        await password_token(client, cid, "shopper-buyer-b", "Passw0rdPassw0rd")
    ).status_code == 200
