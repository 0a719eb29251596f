"""User groups of the seller, buyers and suppliers; their user assignments; and security
profiles assigned to a group reaching its members (AvailableRoles and token roles).

Buyers and suppliers are inserted directly and buyer users made through the users service, so
these tests do not depend on the Buyer or buyer-user resources."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import jwt
import pytest

from gatehouse.crypto import PasswordHasher
from gatehouse.domain.users import UserType
from gatehouse.runtime import Runtime
from gatehouse.services.registry import Services
from gatehouse.services.users import UserScope
from gatehouse.storage.models import BuyerRow, SupplierRow
from tests.factories.marketplaces import Marketplace, password_token

pytestmark = pytest.mark.asyncio

PASSWORD = "Passw0rdPassw0rd"
ADMIN_GROUPS = "/v1/usergroups"
BUYER_A_GROUPS = "/v1/buyers/buyer-a/usergroups"


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


async def add_user(
    runtime: Runtime, hasher: PasswordHasher, mp: Marketplace, scope: UserScope, user_id: str
) -> None:
    """A user of ``scope`` with a password, username ``<mp>-<company>-<id>``."""
    await Services.build(runtime.db, runtime.clock, hasher).users.create(
        mp.id,
        scope,
        {
            "id": user_id,
            "username": f"{mp.id}-{scope.company_id}-{user_id}",
            "password": PASSWORD,
            "first_name": "F",
            "last_name": "L",
            "email": "e@example.com",
            "active": True,
        },
    )


async def post(client: httpx.AsyncClient, mp: Marketplace, url: str, body: Any) -> httpx.Response:
    return await client.post(url, headers=mp.auth, json=body)


def error(response: httpx.Response) -> dict[str, Any]:
    first: dict[str, Any] = response.json()["Errors"][0]
    return first


async def token_roles(
    client: httpx.AsyncClient, client_id: str, username: str, scope: str
) -> list[str]:
    response = await password_token(client, client_id, username, PASSWORD, scope)
    assert response.status_code == 200, response.text
    claims = jwt.decode(response.json()["access_token"], options={"verify_signature": False})
    role = claims.get("role", [])
    return [role] if isinstance(role, str) else list(role)


# --- groups ----------------------------------------------------------------------------------


async def test_admin_group_crud(client: httpx.AsyncClient, marketplace: Marketplace) -> None:
    body = {"ID": "ops", "Name": "Ops", "Description": "d", "xp": {"a": {"b": 1}}}
    created = await post(client, marketplace, ADMIN_GROUPS, body)
    assert created.status_code == 201
    assert created.json() == body
    assert created.headers["Location"].endswith("/v1/usergroups/ops")
    assert (await client.get(f"{ADMIN_GROUPS}/ops", headers=marketplace.auth)).json() == body

    patched = await client.patch(
        f"{ADMIN_GROUPS}/ops", headers=marketplace.auth, json={"xp": {"a": {"c": 2}}}
    )
    assert patched.json()["xp"] == {"a": {"b": 1, "c": 2}}
    assert patched.json()["Description"] == "d"

    put = await client.put(f"{ADMIN_GROUPS}/ops", headers=marketplace.auth, json={"Name": "Ops2"})
    assert put.json() == {"ID": "ops", "Name": "Ops2", "Description": None, "xp": None}
    new = await client.put(f"{ADMIN_GROUPS}/fresh", headers=marketplace.auth, json={"Name": "F"})
    assert new.status_code == 200 and new.json()["ID"] == "fresh"

    assert (await client.delete(f"{ADMIN_GROUPS}/ops", headers=marketplace.auth)).status_code == 204
    gone = await client.get(f"{ADMIN_GROUPS}/ops", headers=marketplace.auth)
    assert gone.status_code == 404
    assert error(gone)["Data"] == {"ObjectType": "UserGroup", "ObjectID": "ops"}
    missing = await client.delete(f"{ADMIN_GROUPS}/ops", headers=marketplace.auth)
    assert missing.status_code == 404


async def test_generated_ids_and_lists(client: httpx.AsyncClient, marketplace: Marketplace) -> None:
    generated = (await post(client, marketplace, ADMIN_GROUPS, {"Name": "Zed"})).json()["ID"]
    assert len(generated) == 22
    await post(client, marketplace, ADMIN_GROUPS, {"ID": "b", "Name": "Beta", "xp": {"n": 2}})
    await post(client, marketplace, ADMIN_GROUPS, {"ID": "a", "Name": "Alpha", "xp": {"n": 10}})
    listed = await client.get(ADMIN_GROUPS, headers=marketplace.auth, params={"sortBy": "!Name"})
    assert [g["Name"] for g in listed.json()["Items"]] == ["Zed", "Beta", "Alpha"]
    assert listed.json()["Meta"]["TotalCount"] == 3
    searched = await client.get(
        ADMIN_GROUPS, headers=marketplace.auth, params={"search": "alp", "searchOn": "Name"}
    )
    assert [g["ID"] for g in searched.json()["Items"]] == ["a"]
    by_xp = await client.get(ADMIN_GROUPS, headers=marketplace.auth, params={"xp.n": ">5"})
    assert [g["ID"] for g in by_xp.json()["Items"]] == ["a"]
    bad_sort = await client.get(
        ADMIN_GROUPS, headers=marketplace.auth, params={"sortBy": "Description"}
    )
    assert error(bad_sort)["ErrorCode"] == "List.InvalidSortProperty"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"Description": "no name"}, 400, "RequiredField"),
        ({"Name": ""}, 400, "RequiredField"),
        ({"Name": "x" * 101}, 400, "ValidationFailure"),
        ({"Name": "n", "Description": "d" * 2001}, 400, "ValidationFailure"),
        ({"ID": "bad id", "Name": "n"}, 400, "ValidationFailure"),
        ({"ID": "x" * 101, "Name": "n"}, 400, "ValidationFailure"),
        ({"Name": 5}, 400, "ValidationFailure"),
        ({"Name": "n", "xp": [1]}, 400, "ValidationFailure"),
        ({"ID": "taken", "Name": "dup"}, 409, "IdExists"),
    ],
)
async def test_invalid_groups(
    client: httpx.AsyncClient,
    marketplace: Marketplace,
    body: dict[str, Any],
    status: int,
    code: str,
) -> None:
    await post(client, marketplace, ADMIN_GROUPS, {"ID": "taken", "Name": "t"})
    response = await post(client, marketplace, ADMIN_GROUPS, body)
    assert (response.status_code, error(response)["ErrorCode"]) == (status, code)
    listed = await client.get(ADMIN_GROUPS, headers=marketplace.auth)
    assert listed.json()["Meta"]["TotalCount"] == 1


async def test_bad_patch_and_put_change_nothing(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    await post(client, marketplace, ADMIN_GROUPS, {"ID": "g", "Name": "G"})
    await post(client, marketplace, ADMIN_GROUPS, {"ID": "h", "Name": "H"})
    url = f"{ADMIN_GROUPS}/g"
    for method, body, code in [
        ("PATCH", {"Name": None}, "RequiredField"),
        ("PATCH", {"ID": "h"}, "IdExists"),
        ("PATCH", {"ID": "no good"}, "ValidationFailure"),
        ("PUT", {"Description": "x"}, "RequiredField"),
        ("PUT", [], "Request.InvalidRequestBody"),
    ]:
        response = await client.request(method, url, headers=marketplace.auth, json=body)
        assert error(response)["ErrorCode"] == code, (method, body)
    assert (await client.get(url, headers=marketplace.auth)).json()["Name"] == "G"
    overlong = await client.get(f"{ADMIN_GROUPS}/{'x' * 5000}", headers=marketplace.auth)
    assert overlong.status_code == 404


async def test_groups_belong_to_their_owner(
    client: httpx.AsyncClient, marketplace: Marketplace, runtime: Runtime
) -> None:
    await add_companies(runtime, marketplace)
    for url, name in [
        (ADMIN_GROUPS, "seller"),
        (BUYER_A_GROUPS, "a"),
        ("/v1/buyers/buyer-b/usergroups", "b"),
        ("/v1/suppliers/supplier-a/usergroups", "s"),
    ]:
        created = await post(client, marketplace, url, {"ID": "g", "Name": name})
        assert created.status_code == 201, created.text
    got = await client.get(f"{BUYER_A_GROUPS}/g", headers=marketplace.auth)
    assert got.json()["Name"] == "a"
    location = (await post(client, marketplace, BUYER_A_GROUPS, {"ID": "h", "Name": "h"})).headers
    assert location["Location"].endswith("/v1/buyers/buyer-a/usergroups/h")
    await client.delete(f"{BUYER_A_GROUPS}/g", headers=marketplace.auth)
    for url in (
        ADMIN_GROUPS,
        "/v1/buyers/buyer-b/usergroups",
        "/v1/suppliers/supplier-a/usergroups",
    ):
        assert (await client.get(f"{url}/g", headers=marketplace.auth)).status_code == 200
    listed = await client.get("/v1/Buyers/buyer-a/UserGroups", headers=marketplace.auth)
    assert [g["ID"] for g in listed.json()["Items"]] == ["h"]


@pytest.mark.parametrize(
    ("url", "object_type"),
    [("/v1/buyers/nope/usergroups", "Buyer"), ("/v1/suppliers/nope/usergroups", "Supplier")],
)
async def test_unknown_company(
    client: httpx.AsyncClient, marketplace: Marketplace, url: str, object_type: str
) -> None:
    for method, path, body in [
        ("GET", url, None),
        ("POST", url, {"Name": "n"}),
        ("PUT", f"{url}/g", {"Name": "n"}),
        ("GET", f"{url}/assignments", None),
        ("POST", f"{url}/assignments", {"UserGroupID": "g", "UserID": "u"}),
    ]:
        response = await client.request(method, path, headers=marketplace.auth, json=body)
        assert response.status_code == 404, (method, path)
        assert error(response)["Data"] == {"ObjectType": object_type, "ObjectID": "nope"}


# --- assignments -----------------------------------------------------------------------------


async def test_buyer_group_assignments(
    client: httpx.AsyncClient, marketplace: Marketplace, runtime: Runtime, hasher: PasswordHasher
) -> None:
    await add_companies(runtime, marketplace)
    for company, uid in [("buyer-a", "u1"), ("buyer-a", "u2"), ("buyer-b", "other")]:
        await add_user(runtime, hasher, marketplace, UserScope(UserType.BUYER, company), uid)
    for gid in ("g1", "g2"):
        await post(client, marketplace, BUYER_A_GROUPS, {"ID": gid, "Name": gid})
    url = f"{BUYER_A_GROUPS}/assignments"
    for pair in [("g1", "u1"), ("g1", "u1"), ("g1", "u2"), ("g2", "u1")]:
        saved = await post(client, marketplace, url, {"UserGroupID": pair[0], "UserID": pair[1]})
        assert saved.status_code == 204
    listed = (await client.get(url, headers=marketplace.auth)).json()
    assert listed["Items"] == [
        {"UserGroupID": "g1", "UserID": "u1"},
        {"UserGroupID": "g1", "UserID": "u2"},
        {"UserGroupID": "g2", "UserID": "u1"},
    ]
    by_user = await client.get(url, headers=marketplace.auth, params={"userID": "u1"})
    assert [i["UserGroupID"] for i in by_user.json()["Items"]] == ["g1", "g2"]
    paged = await client.get(
        url, headers=marketplace.auth, params={"userGroupID": "g1", "page": 2, "pageSize": 1}
    )
    assert paged.json()["Items"] == [{"UserGroupID": "g1", "UserID": "u2"}]
    assert paged.json()["Meta"]["TotalCount"] == 2

    removed = await client.delete(f"{BUYER_A_GROUPS}/g1/assignments/u1", headers=marketplace.auth)
    assert removed.status_code == 204
    again = await client.delete(f"{BUYER_A_GROUPS}/g1/assignments/u1", headers=marketplace.auth)
    assert again.status_code == 204
    remaining = await client.get(url, headers=marketplace.auth, params={"userGroupID": "g1"})
    assert remaining.json()["Items"] == [{"UserGroupID": "g1", "UserID": "u2"}]


@pytest.mark.parametrize(
    ("url", "body", "status", "code", "data"),
    [
        (BUYER_A_GROUPS, {"UserGroupID": "g", "UserID": "other"}, 404, "NotFound", "User"),
        (BUYER_A_GROUPS, {"UserGroupID": "nope", "UserID": "u1"}, 404, "NotFound", "UserGroup"),
        (BUYER_A_GROUPS, {"UserGroupID": "g", "UserID": "admin"}, 404, "NotFound", "User"),
        (ADMIN_GROUPS, {"UserGroupID": "g", "UserID": "u1"}, 404, "NotFound", "AdminUser"),
        (
            "/v1/suppliers/supplier-a/usergroups",
            {"UserGroupID": "g", "UserID": "u1"},
            404,
            "NotFound",
            "SupplierUser",
        ),
        (BUYER_A_GROUPS, {"UserID": "u1"}, 400, "RequiredField", "UserGroupID"),
        (BUYER_A_GROUPS, {"UserGroupID": "g", "UserID": ""}, 400, "RequiredField", "UserID"),
        (BUYER_A_GROUPS, {"UserGroupID": 1, "UserID": "u1"}, 400, "ValidationFailure", None),
    ],
)
async def test_invalid_assignments(
    client: httpx.AsyncClient,
    marketplace: Marketplace,
    runtime: Runtime,
    hasher: PasswordHasher,
    url: str,
    body: dict[str, Any],
    status: int,
    code: str,
    data: str | None,
) -> None:
    """A user of another company (or another kind) is unknown to the group's owner."""
    await add_companies(runtime, marketplace)
    await add_user(runtime, hasher, marketplace, UserScope(UserType.BUYER, "buyer-a"), "u1")
    await add_user(runtime, hasher, marketplace, UserScope(UserType.BUYER, "buyer-b"), "other")
    await add_user(runtime, hasher, marketplace, UserScope(UserType.ADMIN), "admin")
    for owner in (ADMIN_GROUPS, BUYER_A_GROUPS, "/v1/suppliers/supplier-a/usergroups"):
        await post(client, marketplace, owner, {"ID": "g", "Name": "g"})
    response = await post(client, marketplace, f"{url}/assignments", body)
    assert (response.status_code, error(response)["ErrorCode"]) == (status, code)
    if data is not None:
        found = error(response)["Data"]
        assert data in (found.get("ObjectType"), found.get("Field"))
    listed = await client.get(f"{url}/assignments", headers=marketplace.auth)
    assert listed.json()["Items"] == []


async def test_delete_assignment_of_unknown_parties(
    client: httpx.AsyncClient, marketplace: Marketplace, runtime: Runtime
) -> None:
    await add_companies(runtime, marketplace)
    await post(client, marketplace, BUYER_A_GROUPS, {"ID": "g", "Name": "g"})
    no_user = await client.delete(f"{BUYER_A_GROUPS}/g/assignments/ghost", headers=marketplace.auth)
    assert error(no_user)["Data"] == {"ObjectType": "User", "ObjectID": "ghost"}
    no_group = await client.delete(
        f"{BUYER_A_GROUPS}/x/assignments/ghost", headers=marketplace.auth
    )
    assert error(no_group)["Data"] == {"ObjectType": "UserGroup", "ObjectID": "x"}
    bad_page = await client.get(
        f"{BUYER_A_GROUPS}/assignments", headers=marketplace.auth, params={"page": "0"}
    )
    assert error(bad_page)["ErrorCode"] == "List.InvalidPage"


async def test_deleting_a_user_or_group_removes_memberships(
    client: httpx.AsyncClient, marketplace: Marketplace, runtime: Runtime, hasher: PasswordHasher
) -> None:
    for uid in ("a", "b"):
        await add_user(runtime, hasher, marketplace, UserScope(UserType.ADMIN), uid)
    await post(client, marketplace, ADMIN_GROUPS, {"ID": "g", "Name": "g"})
    for uid in ("a", "b"):
        await post(
            client, marketplace, f"{ADMIN_GROUPS}/assignments", {"UserGroupID": "g", "UserID": uid}
        )
    await client.delete("/v1/adminusers/a", headers=marketplace.auth)
    listed = await client.get(f"{ADMIN_GROUPS}/assignments", headers=marketplace.auth)
    assert listed.json()["Items"] == [{"UserGroupID": "g", "UserID": "b"}]
    await client.delete(f"{ADMIN_GROUPS}/g", headers=marketplace.auth)
    await post(client, marketplace, ADMIN_GROUPS, {"ID": "g", "Name": "again"})
    listed = await client.get(f"{ADMIN_GROUPS}/assignments", headers=marketplace.auth)
    assert listed.json()["Items"] == []


# --- security profiles reaching group members ------------------------------------------------


async def add_profile(client: httpx.AsyncClient, mp: Marketplace, pid: str, role: str) -> None:
    body = {"ID": pid, "Name": pid, "Roles": [role]}
    assert (await post(client, mp, "/v1/securityprofiles", body)).status_code == 201


async def assign_profile(client: httpx.AsyncClient, mp: Marketplace, **party: str) -> int:
    return (await post(client, mp, "/v1/securityprofiles/assignments", party)).status_code


async def test_admin_group_profile_reaches_members(
    client: httpx.AsyncClient, marketplace: Marketplace, runtime: Runtime, hasher: PasswordHasher
) -> None:
    for uid in ("a", "b"):
        await add_user(runtime, hasher, marketplace, UserScope(UserType.ADMIN), uid)
    await post(client, marketplace, ADMIN_GROUPS, {"ID": "g", "Name": "g"})
    await post(
        client, marketplace, f"{ADMIN_GROUPS}/assignments", {"UserGroupID": "g", "UserID": "a"}
    )
    await add_profile(client, marketplace, "orders", "OrderReader")
    assert (
        await assign_profile(client, marketplace, SecurityProfileID="orders", UserGroupID="g")
        == 204
    )

    listed = await client.get("/v1/adminusers", headers=marketplace.auth, params={"ID": "a|b"})
    roles = {u["ID"]: u["AvailableRoles"] for u in listed.json()["Items"]}
    # No seller-level FullAccess (issue 13): only the group's profile reaches a member.
    assert roles == {"a": ["OrderReader"], "b": []}
    cid = marketplace.client_id
    assert await token_roles(client, cid, f"{marketplace.id}--a", "OrderReader") == ["OrderReader"]
    assert await token_roles(client, cid, f"{marketplace.id}--b", "OrderReader") == []

    renamed = await client.patch(f"{ADMIN_GROUPS}/g", headers=marketplace.auth, json={"ID": "g2"})
    assert renamed.json()["ID"] == "g2"
    a = (await client.get("/v1/adminusers/a", headers=marketplace.auth)).json()
    assert a["AvailableRoles"] == ["OrderReader"]

    await client.delete(f"{ADMIN_GROUPS}/g2", headers=marketplace.auth)
    a = (await client.get("/v1/adminusers/a", headers=marketplace.auth)).json()
    assert a["AvailableRoles"] == []
    group_level = await client.get(
        "/v1/securityprofiles/assignments", headers=marketplace.auth, params={"level": "Group"}
    )
    assert group_level.json()["Items"] == []


async def buyer_client(client: httpx.AsyncClient, mp: Marketplace) -> str:
    body = {"AppName": "Storefront", "AccessTokenDuration": 60, "AllowAnyBuyer": True}
    client_id: str = (await post(client, mp, "/v1/apiclients", body)).json()["ID"]
    return client_id


async def test_buyer_group_profile_reaches_only_that_buyers_members(
    client: httpx.AsyncClient, marketplace: Marketplace, runtime: Runtime, hasher: PasswordHasher
) -> None:
    await add_companies(runtime, marketplace)
    for company, uid in [("buyer-a", "u1"), ("buyer-a", "u2"), ("buyer-b", "u1")]:
        await add_user(runtime, hasher, marketplace, UserScope(UserType.BUYER, company), uid)
    for company in ("buyer-a", "buyer-b"):
        await post(
            client, marketplace, f"/v1/buyers/{company}/usergroups", {"ID": "g", "Name": "g"}
        )
    await post(
        client, marketplace, f"{BUYER_A_GROUPS}/assignments", {"UserGroupID": "g", "UserID": "u1"}
    )
    await add_profile(client, marketplace, "shop", "Shopper")
    await add_profile(client, marketplace, "b-only", "OrderReader")
    assert (
        await assign_profile(
            client, marketplace, SecurityProfileID="shop", BuyerID="buyer-a", UserGroupID="g"
        )
        == 204
    )
    assert (
        await assign_profile(
            client, marketplace, SecurityProfileID="b-only", BuyerID="buyer-b", UserGroupID="g"
        )
        == 204
    )

    view = await runtime.services.users.get(
        marketplace.id, UserScope(UserType.BUYER, "buyer-a"), "u1"
    )
    assert sorted(view.available_roles.all) == ["Shopper"]
    other = await runtime.services.users.get(
        marketplace.id, UserScope(UserType.BUYER, "buyer-a"), "u2"
    )
    assert sorted(other.available_roles.all) == []
    cid = await buyer_client(client, marketplace)
    scope = "Shopper OrderReader"
    assert await token_roles(client, cid, f"{marketplace.id}-buyer-a-u1", scope) == ["Shopper"]
    assert await token_roles(client, cid, f"{marketplace.id}-buyer-a-u2", scope) == []
    assert await token_roles(client, cid, f"{marketplace.id}-buyer-b-u1", scope) == []


@pytest.mark.parametrize(
    "party",
    [
        {"UserGroupID": "nope"},
        {"UserGroupID": "buyer-group"},  # a buyer's group is not an admin group
        {"BuyerID": "buyer-b", "UserGroupID": "buyer-group"},  # nor another buyer's
        {"SupplierID": "supplier-a", "UserGroupID": "admin-group"},
    ],
)
async def test_profile_assignment_needs_the_group_in_its_owner(
    client: httpx.AsyncClient, marketplace: Marketplace, runtime: Runtime, party: dict[str, str]
) -> None:
    await add_companies(runtime, marketplace)
    await post(client, marketplace, ADMIN_GROUPS, {"ID": "admin-group", "Name": "a"})
    await post(client, marketplace, BUYER_A_GROUPS, {"ID": "buyer-group", "Name": "b"})
    await add_profile(client, marketplace, "p", "OrderReader")
    response = await post(
        client, marketplace, "/v1/securityprofiles/assignments", {"SecurityProfileID": "p", **party}
    )
    assert response.status_code == 404
    assert error(response)["Data"]["ObjectType"] == "UserGroup"
    ok = {"SecurityProfileID": "p", "BuyerID": "buyer-a", "UserGroupID": "buyer-group"}
    assert (
        await post(client, marketplace, "/v1/securityprofiles/assignments", ok)
    ).status_code == 204


async def test_deleting_a_group_keeps_other_owners_profile_assignments(
    client: httpx.AsyncClient, marketplace: Marketplace, runtime: Runtime
) -> None:
    await add_companies(runtime, marketplace)
    await add_profile(client, marketplace, "p", "OrderReader")
    for owner, party in [(ADMIN_GROUPS, {}), (BUYER_A_GROUPS, {"BuyerID": "buyer-a"})]:
        await post(client, marketplace, owner, {"ID": "g", "Name": "g"})
        await assign_profile(client, marketplace, SecurityProfileID="p", UserGroupID="g", **party)
    await client.delete(f"{BUYER_A_GROUPS}/g", headers=marketplace.auth)
    left = await client.get(
        "/v1/securityprofiles/assignments", headers=marketplace.auth, params={"level": "Group"}
    )
    assert [(i["BuyerID"], i["UserGroupID"]) for i in left.json()["Items"]] == [(None, "g")]


# --- organisation boundary --------------------------------------------------------------------


async def test_buyer_user_manages_only_its_own_buyers_groups(
    client: httpx.AsyncClient, marketplace: Marketplace, runtime: Runtime, hasher: PasswordHasher
) -> None:
    await add_companies(runtime, marketplace)
    await add_user(runtime, hasher, marketplace, UserScope(UserType.BUYER, "buyer-a"), "boss")
    await add_profile(client, marketplace, "groups", "UserGroupAdmin")
    await assign_profile(client, marketplace, SecurityProfileID="groups", BuyerID="buyer-a")
    cid = await buyer_client(client, marketplace)
    response = await password_token(client, cid, f"{marketplace.id}-buyer-a-boss", PASSWORD)
    auth = {"Authorization": f"Bearer {response.json()['access_token']}"}

    own = await client.post(BUYER_A_GROUPS, headers=auth, json={"ID": "g", "Name": "mine"})
    assert own.status_code == 201
    other = await client.post("/v1/buyers/buyer-b/usergroups", headers=auth, json={"Name": "x"})
    assert other.status_code == 404
    assert error(other)["Data"] == {"ObjectType": "Buyer", "ObjectID": "buyer-b"}
    seller = await client.get(ADMIN_GROUPS, headers=auth)
    assert error(seller)["ErrorCode"] == "Auth.UserNotAuthorizedToAdmin"
    supplier = await client.get("/v1/suppliers/supplier-a/usergroups", headers=auth)
    assert supplier.status_code == 403
