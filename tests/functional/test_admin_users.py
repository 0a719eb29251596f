"""/v1/adminusers: CRUD, hashed never-returned passwords, uniqueness, AvailableRoles."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import select

from gatehouse.runtime import Runtime
from gatehouse.storage.models import UserRow
from tests.factories.marketplaces import Marketplace, password_token

pytestmark = pytest.mark.asyncio
PASSWORD = "Passw0rdPassw0rd"


def user(**fields: Any) -> dict[str, Any]:
    return {
        "ID": "jane",
        "Username": "jane",
        "Password": PASSWORD,
        "FirstName": "Jane",
        "LastName": "Doe",
        "Email": "jane@example.com",
        "Active": True,
        **fields,
    }


async def test_create_get_list_patch_delete(
    client: httpx.AsyncClient, marketplace: Marketplace, runtime: Runtime
) -> None:
    created = await client.post("/v1/adminusers", headers=marketplace.auth, json=user(xp={"a": 1}))
    assert created.status_code == 201
    body = created.json()
    assert body["Password"] is None
    # FullAccess belongs to the bootstrap admin only: a new admin has no role until assigned.
    assert body["AvailableRoles"] == []
    assert body["CompanyID"] == marketplace.id
    async with runtime.db.read() as session:
        stored = await session.scalar(
            select(UserRow.password_hash).where(
                UserRow.marketplace_id == marketplace.id, UserRow.external_id == "jane"
            )
        )
    assert stored is not None and stored.startswith("$argon2id$") and PASSWORD not in stored

    got = await client.get("/v1/adminusers/jane", headers=marketplace.auth)
    assert got.json() == body
    listed = await client.get("/v1/adminusers", headers=marketplace.auth, params={"search": "jan"})
    assert [u["ID"] for u in listed.json()["Items"]] == ["jane"]
    patched = await client.patch(
        "/v1/adminusers/jane", headers=marketplace.auth, json={"FirstName": "Janet", "xp": {"b": 2}}
    )
    assert patched.json()["FirstName"] == "Janet" and patched.json()["xp"] == {"a": 1, "b": 2}
    assert (
        await password_token(client, marketplace.client_id, "jane", PASSWORD)
    ).status_code == 200
    assert (await client.delete("/v1/adminusers/jane", headers=marketplace.auth)).status_code == 204
    assert (await client.get("/v1/adminusers/jane", headers=marketplace.auth)).status_code == 404


async def test_password_change_through_patch(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    await client.post("/v1/adminusers", headers=marketplace.auth, json=user())
    await client.patch(
        "/v1/adminusers/jane", headers=marketplace.auth, json={"Password": "N3wPassword99"}
    )
    assert (
        await password_token(client, marketplace.client_id, "jane", PASSWORD)
    ).status_code == 400
    assert (
        await password_token(client, marketplace.client_id, "jane", "N3wPassword99")
    ).status_code == 200


async def test_put_creates_then_replaces(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    created = await client.put(
        "/v1/adminusers/bob", headers=marketplace.auth, json=user(ID=None, Username="bob")
    )
    assert created.status_code == 200 and created.json()["ID"] == "bob"
    replaced = await client.put(
        "/v1/adminusers/bob",
        headers=marketplace.auth,
        json=user(ID=None, Username="bob2", xp=None, Phone=None),
    )
    assert replaced.json()["Username"] == "bob2"


async def test_generated_id(client: httpx.AsyncClient, marketplace: Marketplace) -> None:
    created = await client.post("/v1/adminusers", headers=marketplace.auth, json=user(ID=None))
    assert len(created.json()["ID"]) == 22


@pytest.mark.parametrize(
    ("fields", "status", "code"),
    [
        ({"Password": "short1A"}, 400, "PasswordReset.InsecurePassword"),
        ({"Password": "alllowercase123"}, 400, "PasswordReset.InsecurePassword"),
        ({"Password": "NoDigitsHereAtAll"}, 400, "PasswordReset.InsecurePassword"),
        ({"Username": None}, 400, "RequiredField"),
        ({"Email": None}, 400, "RequiredField"),
        ({"ID": "bad id!"}, 400, "ValidationFailure"),
        ({"ID": "x" * 101}, 400, "ValidationFailure"),
        ({"Username": "u" * 101}, 400, "ValidationFailure"),
        ({"Active": "yes"}, 400, "ValidationFailure"),
    ],
)
async def test_invalid_users(
    client: httpx.AsyncClient,
    marketplace: Marketplace,
    fields: dict[str, Any],
    status: int,
    code: str,
) -> None:
    response = await client.post("/v1/adminusers", headers=marketplace.auth, json=user(**fields))
    assert response.status_code == status
    assert response.json()["Errors"][0]["ErrorCode"] == code
    listed = await client.get("/v1/adminusers", headers=marketplace.auth)
    assert listed.json()["Meta"]["TotalCount"] == 1


async def test_duplicates(client: httpx.AsyncClient, marketplace: Marketplace) -> None:
    await client.post("/v1/adminusers", headers=marketplace.auth, json=user())
    same_id = await client.post(
        "/v1/adminusers", headers=marketplace.auth, json=user(Username="other")
    )
    assert same_id.status_code == 409 and same_id.json()["Errors"][0]["ErrorCode"] == "IdExists"
    same_name = await client.post(
        "/v1/adminusers", headers=marketplace.auth, json=user(ID="other", Username="JANE")
    )
    assert same_name.status_code == 409
    assert same_name.json()["Errors"][0]["ErrorCode"] == "User.UsernameMustBeUnique"


async def test_default_context_user_cannot_be_deleted(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    await client.post("/v1/adminusers", headers=marketplace.auth, json=user())
    await client.post(
        "/v1/apiclients",
        headers=marketplace.auth,
        json={"AppName": "Mw", "AccessTokenDuration": 60, "DefaultContextUserName": "jane"},
    )
    response = await client.delete("/v1/adminusers/jane", headers=marketplace.auth)
    assert response.status_code == 409
    assert response.json()["Errors"][0]["ErrorCode"] == "User.CannotDeleteDefaultContextUser"


async def test_user_level_assignments_follow_renames_and_go_with_deletes(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    await client.post(
        "/v1/securityprofiles",
        headers=marketplace.auth,
        json={"ID": "orders", "Name": "Orders", "Roles": ["OrderReader"]},
    )
    await client.post("/v1/adminusers", headers=marketplace.auth, json=user())
    await client.post(
        "/v1/securityprofiles/assignments",
        headers=marketplace.auth,
        json={"SecurityProfileID": "orders", "UserID": "jane"},
    )
    renamed = await client.patch(
        "/v1/adminusers/jane", headers=marketplace.auth, json={"ID": "janet"}
    )
    assert "OrderReader" in renamed.json()["AvailableRoles"]
    await client.delete("/v1/adminusers/janet", headers=marketplace.auth)
    reborn = await client.post("/v1/adminusers", headers=marketplace.auth, json=user(ID="janet"))
    assert "OrderReader" not in reborn.json()["AvailableRoles"]
    listed = await client.get(
        "/v1/securityprofiles/assignments",
        headers=marketplace.auth,
        params={"securityProfileID": "orders"},
    )
    assert listed.json()["Meta"]["TotalCount"] == 0
