"""/v1/me: the caller's own MeUser for admin, buyer and supplier users, updating it (MeAdmin,
MeXpAdmin for xp), the caller's groups, and changing one's own password (PasswordReset)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import jwt
import pytest

from gatehouse.runtime import Runtime
from gatehouse.storage.models import BuyerRow, SupplierRow
from tests.factories.companies import PASSWORD, company_client, error_of, user
from tests.factories.marketplaces import Marketplace, password_token

pytestmark = pytest.mark.asyncio
NEW_PASSWORD = "An0therPassw0rd"
KINDS = ("admin", "buyer", "supplier")
USERS_URL = {
    "admin": "/v1/adminusers",
    "buyer": "/v1/buyers/buyer-a/users",
    "supplier": "/v1/suppliers/supplier-a/users",
}
PROFILE_PARTY = {
    "admin": {},
    "buyer": {"BuyerID": "buyer-a"},
    "supplier": {"SupplierID": "supplier-a"},
}


@pytest.fixture
async def companies(runtime: Runtime, marketplace: Marketplace) -> Marketplace:
    async with runtime.db.write() as session:
        now = datetime.now(UTC)
        session.add(
            BuyerRow(
                marketplace_id=marketplace.id,
                id="buyer-a",
                name="A",
                active=True,
                default_catalog_id="catalog-a",
                created_at=now,
            )
        )
        session.add(
            SupplierRow(
                marketplace_id=marketplace.id,
                id="supplier-a",
                name="S",
                active=True,
                created_at=now,
            )
        )
    return marketplace


async def login(
    client: httpx.AsyncClient, mp: Marketplace, kind: str, password: str = PASSWORD
) -> httpx.Response:
    client_id = mp.client_id if kind == "admin" else await company_client(client, mp)
    return await password_token(client, client_id, "jane", password)


async def jane(
    client: httpx.AsyncClient,
    mp: Marketplace,
    kind: str,
    roles: tuple[str, ...] = ("MeAdmin", "PasswordReset"),
) -> dict[str, str]:
    """User ``jane`` of ``kind`` holding ``roles`` (a profile at her company or seller level),
    logged in: her bearer header."""
    created = await client.post(USERS_URL[kind], headers=mp.auth, json=user(Phone="555"))
    assert created.status_code == 201, created.text
    await client.post(
        "/v1/securityprofiles",
        headers=mp.auth,
        json={"ID": "me", "Name": "Me", "Roles": list(roles)},
    )
    assigned = await client.post(
        "/v1/securityprofiles/assignments",
        headers=mp.auth,
        json={"SecurityProfileID": "me", **PROFILE_PARTY[kind]},
    )
    assert assigned.status_code == 204, assigned.text
    token = await login(client, mp, kind)
    assert token.status_code == 200, token.text
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


async def with_roles(runtime: Runtime, auth: dict[str, str], roles: list[str]) -> dict[str, str]:
    """The same caller's token, signed by the server, with other roles."""
    claims = jwt.decode(auth["Authorization"].split()[1], options={"verify_signature": False})
    claims["role"] = roles
    return {"Authorization": f"Bearer {await runtime.codec.sign(claims)}"}


@pytest.mark.parametrize("kind", KINDS)
async def test_get_me_for_each_user_type(
    client: httpx.AsyncClient, companies: Marketplace, runtime: Runtime, kind: str
) -> None:
    auth = await with_roles(runtime, await jane(client, companies, kind), [])
    me = await client.get("/v1/me", headers=auth)
    assert me.status_code == 200, me.text
    body: dict[str, Any] = me.json()
    company = {"admin": companies.id, "buyer": "buyer-a", "supplier": "supplier-a"}[kind]
    assert body["Buyer"] == (
        {"ID": "buyer-a", "DefaultCatalogID": "catalog-a"} if kind == "buyer" else None
    )
    assert body["Supplier"] == ({"ID": "supplier-a"} if kind == "supplier" else None)
    assert body["Seller"] == ({"ID": companies.id} if kind == "admin" else None)
    assert body["ID"] == body["Username"] == "jane"
    assert body["CompanyID"] == company
    assert body["Password"] is None
    # No seller-level FullAccess (issue 13): an admin holds only what was assigned.
    assert body["AvailableRoles"] == ["MeAdmin", "PasswordReset"]
    stored = await client.get(f"{USERS_URL[kind]}/jane", headers=companies.auth)
    assert {
        k: v for k, v in body.items() if k not in ("Buyer", "Supplier", "Seller")
    } == stored.json()


async def test_me_writes_need_me_admin(
    client: httpx.AsyncClient, companies: Marketplace, runtime: Runtime
) -> None:
    auth = await with_roles(runtime, await jane(client, companies, "buyer"), ["Shopper"])
    assert (await client.get("/v1/me", headers=auth)).status_code == 200
    assert (await client.get("/v1/me/usergroups", headers=auth)).status_code == 200
    for method in ("PUT", "PATCH"):
        refused = await client.request(method, "/v1/me", headers=auth, json={"FirstName": "X"})
        assert refused.status_code == 403
        assert error_of(refused)["Data"]["SufficientRoles"] == ["FullAccess", "MeAdmin"]
    refused = await client.post("/v1/me/password", headers=auth, json={"NewPassword": NEW_PASSWORD})
    assert refused.status_code == 403
    assert error_of(refused)["Data"]["SufficientRoles"] == ["FullAccess", "PasswordReset"]


@pytest.mark.parametrize("kind", KINDS)
async def test_patch_and_put_me(
    client: httpx.AsyncClient, companies: Marketplace, kind: str
) -> None:
    auth = await jane(client, companies, kind)
    patched = await client.patch(
        "/v1/me", headers=auth, json={"FirstName": "Janet", "ID": "other", "Active": False}
    )
    assert patched.status_code == 200, patched.text
    assert (patched.json()["FirstName"], patched.json()["ID"], patched.json()["Active"]) == (
        "Janet",
        "jane",
        True,
    )
    stored = (await client.get(f"{USERS_URL[kind]}/jane", headers=companies.auth)).json()
    assert stored["FirstName"] == "Janet"
    assert stored["Active"] is True
    put = await client.put(
        "/v1/me",
        headers=auth,
        json={"Username": "janet", "FirstName": "J", "LastName": "D", "Email": "j@example.com"},
    )
    assert put.status_code == 200, put.text
    assert (put.json()["Username"], put.json()["Phone"], put.json()["Active"]) == (
        "janet",
        None,
        True,
    )
    missing = await client.put("/v1/me", headers=auth, json={"FirstName": "J"})
    assert missing.status_code == 400
    assert error_of(missing)["ErrorCode"] == "RequiredField"


async def test_username_stays_unique(client: httpx.AsyncClient, companies: Marketplace) -> None:
    auth = await jane(client, companies, "buyer")
    taken = await client.patch(
        "/v1/me", headers=auth, json={"Username": companies.credentials.username}
    )
    assert taken.status_code == 409
    assert error_of(taken)["ErrorCode"] == "User.UsernameMustBeUnique"


async def test_writing_xp_needs_me_xp_admin(
    client: httpx.AsyncClient, companies: Marketplace, runtime: Runtime
) -> None:
    auth = await jane(client, companies, "supplier")
    me_admin = await with_roles(runtime, auth, ["MeAdmin"])
    xp_admin = await with_roles(runtime, auth, ["MeAdmin", "MeXpAdmin"])
    for method in ("PUT", "PATCH"):
        body = {**user(), "xp": {"a": 1}}
        refused = await client.request(method, "/v1/me", headers=me_admin, json=body)
        assert refused.status_code == 403, refused.text
        assert error_of(refused)["ErrorCode"] == "User.XPNotAllowed"
    allowed = await client.patch("/v1/me", headers=xp_admin, json={"xp": {"a": 1, "b": {"c": 2}}})
    assert allowed.status_code == 200, allowed.text
    merged = await client.patch("/v1/me", headers=xp_admin, json={"xp": {"b": {"d": 3}}})
    assert merged.json()["xp"] == {"a": 1, "b": {"c": 2, "d": 3}}
    # A GET-modify-PUT round trip without MeXpAdmin sends the same xp back: allowed.
    current = (await client.get("/v1/me", headers=me_admin)).json()
    round_trip = await client.put("/v1/me", headers=me_admin, json={**current, "FirstName": "Jo"})
    assert round_trip.status_code == 200, round_trip.text
    assert round_trip.json()["xp"] == merged.json()["xp"]
    without_xp = await client.put(
        "/v1/me", headers=me_admin, json={**user(), "xp": None} | {"FirstName": "Jo"}
    )
    assert without_xp.status_code == 403
    kept = await client.put(
        "/v1/me", headers=me_admin, json={k: v for k, v in user().items() if k != "Password"}
    )
    assert kept.status_code == 200
    assert kept.json()["xp"] == merged.json()["xp"]
    assert (await client.patch("/v1/me", headers=xp_admin, json={"xp": None})).json()["xp"] is None


@pytest.mark.parametrize("kind", KINDS)
async def test_password_change_then_login(
    client: httpx.AsyncClient, companies: Marketplace, kind: str
) -> None:
    auth = await jane(client, companies, kind)
    changed = await client.post("/v1/me/password", headers=auth, json={"NewPassword": NEW_PASSWORD})
    assert changed.status_code == 204, changed.text
    assert changed.content == b""
    assert (await login(client, companies, kind)).status_code == 400
    assert (await login(client, companies, kind, NEW_PASSWORD)).status_code == 200


async def test_password_must_meet_the_policy(
    client: httpx.AsyncClient, companies: Marketplace
) -> None:
    auth = await jane(client, companies, "buyer")
    weak = await client.post("/v1/me/password", headers=auth, json={"NewPassword": "short"})
    assert weak.status_code == 400
    assert error_of(weak)["ErrorCode"] == "PasswordReset.InsecurePassword"
    for body in ({}, {"NewPassword": ""}, {"NewPassword": None}):
        missing = await client.post("/v1/me/password", headers=auth, json=body)
        assert missing.status_code == 400
        assert error_of(missing)["Data"] == {"Field": "NewPassword"}
    assert (await login(client, companies, "buyer")).status_code == 200
    put = await client.put("/v1/me", headers=auth, json=user(Password=NEW_PASSWORD))
    assert put.status_code == 200
    assert (await login(client, companies, "buyer")).status_code == 200, "Password ignored by PUT"


async def test_my_user_groups(client: httpx.AsyncClient, companies: Marketplace) -> None:
    auth = await jane(client, companies, "buyer")
    groups = "/v1/buyers/buyer-a/usergroups"
    for gid in ("g1", "g2", "g3"):
        created = await client.post(
            groups, headers=companies.auth, json={"ID": gid, "Name": gid.upper()}
        )
        assert created.status_code == 201, created.text
    for gid in ("g3", "g1"):
        await client.post(
            f"{groups}/assignments",
            headers=companies.auth,
            json={"UserGroupID": gid, "UserID": "jane"},
        )
    mine = await client.get("/v1/me/usergroups", headers=auth)
    assert mine.status_code == 200, mine.text
    assert [g["ID"] for g in mine.json()["Items"]] == ["g1", "g3"]
    assert mine.json()["Items"][0] == {"ID": "g1", "Name": "G1", "Description": None, "xp": None}
    assert mine.json()["Meta"]["TotalCount"] == 2
    searched = await client.get("/v1/me/usergroups?search=G3&pageSize=1", headers=auth)
    assert [g["ID"] for g in searched.json()["Items"]] == ["g3"]
    admin_groups = await client.get("/v1/me/usergroups", headers=companies.auth)
    assert admin_groups.json()["Items"] == []


async def test_a_deleted_users_token_is_refused(
    client: httpx.AsyncClient, companies: Marketplace
) -> None:
    auth = await jane(client, companies, "buyer")
    deleted = await client.delete("/v1/buyers/buyer-a/users/jane", headers=companies.auth)
    assert deleted.status_code == 204
    for method, url in (("GET", "/v1/me"), ("GET", "/v1/me/usergroups"), ("PATCH", "/v1/me")):
        refused = await client.request(method, url, headers=auth, json={})
        assert refused.status_code == 401, refused.text
        assert error_of(refused)["ErrorCode"] == "InvalidToken"
