"""/v1/securityprofiles and their assignments at seller and admin-user level."""

from __future__ import annotations

import httpx
import pytest

from tests.factories.marketplaces import Marketplace

pytestmark = pytest.mark.asyncio


async def test_crud(client: httpx.AsyncClient, marketplace: Marketplace) -> None:
    created = await client.post(
        "/v1/securityprofiles",
        headers=marketplace.auth,
        json={
            "ID": "readers",
            "Name": "Readers",
            "Roles": ["ApiClientReader"],
            "CustomRoles": ["c"],
        },
    )
    assert created.status_code == 201
    assert created.json() == {
        "ID": "readers",
        "Name": "Readers",
        "Roles": ["ApiClientReader"],
        "CustomRoles": ["c"],
        "PasswordConfig": None,
        "IsExternalRoleGroup": False,
    }
    listed = await client.get(
        "/v1/securityprofiles", headers=marketplace.auth, params={"sortBy": "!Name"}
    )
    assert [p["ID"] for p in listed.json()["Items"]] == ["readers", "FullAccess"]
    patched = await client.patch(
        "/v1/securityprofiles/readers", headers=marketplace.auth, json={"Roles": ["ApiClientAdmin"]}
    )
    assert patched.json()["Roles"] == ["ApiClientAdmin"] and patched.json()["CustomRoles"] == ["c"]
    put = await client.put(
        "/v1/securityprofiles/new", headers=marketplace.auth, json={"Name": "New"}
    )
    assert put.status_code == 200 and put.json()["Roles"] == []
    assert (
        await client.delete("/v1/securityprofiles/new", headers=marketplace.auth)
    ).status_code == 204
    assert (
        await client.get("/v1/securityprofiles/new", headers=marketplace.auth)
    ).status_code == 404


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"Name": "x", "Roles": ["Nope"]}, "ValidationFailure"),
        ({"Roles": []}, "RequiredField"),
        ({"ID": "bad id", "Name": "x"}, "ValidationFailure"),
        ({"ID": "FullAccess", "Name": "dup"}, "IdExists"),
    ],
)
async def test_invalid_profiles(
    client: httpx.AsyncClient, marketplace: Marketplace, body: dict[str, object], code: str
) -> None:
    response = await client.post("/v1/securityprofiles", headers=marketplace.auth, json=body)
    assert response.json()["Errors"][0]["ErrorCode"] == code


async def test_user_level_assignment_reaches_only_that_user(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    await client.post(
        "/v1/securityprofiles",
        headers=marketplace.auth,
        json={"ID": "orders", "Name": "Orders", "Roles": ["OrderReader"]},
    )
    for uid in ("a", "b"):
        await client.post(
            "/v1/adminusers",
            headers=marketplace.auth,
            json={
                "ID": uid,
                "Username": f"user-{uid}",
                "Password": "Passw0rdPassw0rd",
                "FirstName": "F",
                "LastName": "L",
                "Email": "e@example.com",
                "Active": True,
            },
        )
    saved = await client.post(
        "/v1/securityprofiles/assignments",
        headers=marketplace.auth,
        json={"SecurityProfileID": "orders", "UserID": "a"},
    )
    assert saved.status_code == 204
    a = (await client.get("/v1/adminusers/a", headers=marketplace.auth)).json()
    b = (await client.get("/v1/adminusers/b", headers=marketplace.auth)).json()
    # No seller-level FullAccess (issue 13): b holds nothing, a only what was assigned.
    assert a["AvailableRoles"] == ["OrderReader"]
    assert b["AvailableRoles"] == []

    listed = await client.get(
        "/v1/securityprofiles/assignments", headers=marketplace.auth, params={"level": "User"}
    )
    bootstrap_admin = (await client.get("/v1/me", headers=marketplace.auth)).json()["ID"]
    by_profile = {i["SecurityProfileID"]: i for i in listed.json()["Items"]}
    assert by_profile == {
        "orders": {
            "SecurityProfileID": "orders",
            "BuyerID": None,
            "SupplierID": None,
            "UserID": "a",
            "UserGroupID": None,
        },
        "FullAccess": {
            "SecurityProfileID": "FullAccess",
            "BuyerID": None,
            "SupplierID": None,
            "UserID": bootstrap_admin,
            "UserGroupID": None,
        },
    }
    seller = await client.get(
        "/v1/securityprofiles/assignments",
        headers=marketplace.auth,
        params={"commerceRole": "Seller", "level": "Company"},
    )
    assert seller.json()["Items"] == []

    removed = await client.delete(
        "/v1/securityprofiles/orders/assignments", headers=marketplace.auth, params={"userID": "a"}
    )
    assert removed.status_code == 204
    a = (await client.get("/v1/adminusers/a", headers=marketplace.auth)).json()
    assert a["AvailableRoles"] == []


async def test_renaming_a_profile_keeps_its_assignments(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    await client.post(
        "/v1/securityprofiles",
        headers=marketplace.auth,
        json={"ID": "old", "Name": "Old", "Roles": ["OrderReader"]},
    )
    await client.post(
        "/v1/securityprofiles/assignments",
        headers=marketplace.auth,
        json={"SecurityProfileID": "old"},
    )
    renamed = await client.patch(
        "/v1/securityprofiles/old", headers=marketplace.auth, json={"ID": "new"}
    )
    assert renamed.json()["ID"] == "new"
    listed = await client.get(
        "/v1/securityprofiles/assignments",
        headers=marketplace.auth,
        params={"securityProfileID": "new"},
    )
    assert listed.json()["Meta"]["TotalCount"] == 1


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"SecurityProfileID": "missing"}, 404, "NotFound"),
        ({"SecurityProfileID": "FullAccess", "UserID": "ghost"}, 404, "NotFound"),
        ({"SecurityProfileID": "FullAccess", "BuyerID": "ghost"}, 404, "NotFound"),
        ({"SecurityProfileID": "FullAccess", "UserGroupID": "ghost"}, 404, "NotFound"),
        (
            {"SecurityProfileID": "FullAccess", "BuyerID": "b", "SupplierID": "s"},
            400,
            "PartyAssignment.CannotSpecifyBuyerAndSupplier",
        ),
        (
            {"SecurityProfileID": "FullAccess", "UserID": "u", "UserGroupID": "g"},
            400,
            "PartyAssignment.CannotSpecifyGroupAndUser",
        ),
        ({}, 400, "RequiredField"),
    ],
)
async def test_bad_assignments(
    client: httpx.AsyncClient,
    marketplace: Marketplace,
    body: dict[str, str],
    status: int,
    code: str,
) -> None:
    response = await client.post(
        "/v1/securityprofiles/assignments", headers=marketplace.auth, json=body
    )
    assert response.status_code == status
    error = response.json()["Errors"][0]
    assert error["ErrorCode"] == code
    if status == 404:
        assert set(error["Data"]) == {"ObjectType", "ObjectID"}


async def test_contradictory_list_filters(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    response = await client.get(
        "/v1/securityprofiles/assignments",
        headers=marketplace.auth,
        params={"commerceRole": "Seller", "buyerID": "b"},
    )
    assert response.json()["Errors"][0]["ErrorCode"] == "SecurityProfile.CannotProvideBuyerID"
