"""What buyer users and supplier users share (one service and one set of handlers serve both),
run once per company kind: the company must exist and be of that kind, reader and admin roles,
the organisation boundary for company user admins, unlock, and read-only fields. What differs
stays in ``test_buyer_users`` and ``test_supplier_users``."""

from __future__ import annotations

import httpx
import jwt
import pytest

from gatehouse.runtime import Runtime
from tests.factories.companies import (
    PASSWORD,
    add_companies,
    company_client,
    error_of,
    headers_with,
    user,
)
from tests.factories.kinds import EACH_KIND, CompanyKind
from tests.factories.marketplaces import Marketplace, password_token

pytestmark = [pytest.mark.asyncio, EACH_KIND]


@pytest.fixture
async def companies(runtime: Runtime, marketplace: Marketplace, kind: CompanyKind) -> Marketplace:
    """Companies ``own`` and ``other`` of the kind under test."""
    await add_companies(runtime, marketplace, kind.name, "own", "other")
    return marketplace


@pytest.mark.parametrize(
    ("method", "suffix"),
    [
        ("GET", "/nope/users"),
        ("POST", "/nope/users"),
        ("GET", "/nope/users/jane"),
        ("PUT", "/nope/users/jane"),
        ("PATCH", "/nope/users/jane"),
        ("DELETE", "/nope/users/jane"),
        ("POST", "/nope/users/jane/unlock"),
    ],
)
async def test_unknown_company_is_not_found(
    client: httpx.AsyncClient, companies: Marketplace, kind: CompanyKind, method: str, suffix: str
) -> None:
    response = await client.request(method, kind.path + suffix, headers=companies.auth, json=user())
    assert response.status_code == 404
    assert error_of(response)["Data"] == {"ObjectType": kind.object_type, "ObjectID": "nope"}


async def test_a_company_of_the_other_kind_is_not_found(
    client: httpx.AsyncClient, companies: Marketplace, runtime: Runtime, kind: CompanyKind
) -> None:
    await add_companies(runtime, companies, kind.other.name, "neighbour")
    response = await client.get(f"{kind.path}/neighbour/users", headers=companies.auth)
    assert response.status_code == 404
    assert error_of(response)["Data"] == {"ObjectType": kind.object_type, "ObjectID": "neighbour"}


async def test_reader_reads_and_admin_writes(
    client: httpx.AsyncClient, companies: Marketplace, runtime: Runtime, kind: CompanyKind
) -> None:
    url = f"{kind.path}/own/users"
    await client.post(url, headers=companies.auth, json=user())
    reader = await headers_with(runtime, companies, [kind.user_reader])
    assert (await client.get(url, headers=reader)).status_code == 200
    assert (await client.get(f"{url}/jane", headers=reader)).status_code == 200
    refused = await client.post(url, headers=reader, json=user(ID="x", Username="x"))
    assert refused.status_code == 403
    assert error_of(refused)["Data"]["SufficientRoles"] == ["FullAccess", kind.user_admin]
    assert (await client.post(f"{url}/jane/unlock", headers=reader)).status_code == 403
    other_admin = await headers_with(runtime, companies, [kind.other.user_admin])
    assert (await client.get(url, headers=other_admin)).status_code == 403
    admin = await headers_with(runtime, companies, [kind.user_admin])
    created = await client.post(url, headers=admin, json=user(ID="x", Username="x"))
    assert created.status_code == 201
    assert (await client.post(f"{url}/jane/unlock", headers=admin)).status_code == 204


async def company_user_admin_token(
    http: httpx.AsyncClient, mp: Marketplace, kind: CompanyKind
) -> str:
    """``jane`` of ``own`` logs in holding the kind's user admin role (a user-level profile)."""
    await http.post(f"{kind.path}/own/users", headers=mp.auth, json=user())
    profile = {"ID": "useradmin", "Name": "User admin", "Roles": [kind.user_admin]}
    await http.post("/v1/securityprofiles", headers=mp.auth, json=profile)
    assignment = {"SecurityProfileID": "useradmin", kind.party: "own", "UserID": "jane"}
    await http.post("/v1/securityprofiles/assignments", headers=mp.auth, json=assignment)
    login = await password_token(http, await company_client(http, mp), "jane", PASSWORD)
    assert login.status_code == 200, login.text
    token: str = login.json()["access_token"]
    return token


async def test_a_company_user_admin_manages_only_their_own_company(
    client: httpx.AsyncClient, companies: Marketplace, kind: CompanyKind
) -> None:
    await client.post(
        f"{kind.path}/other/users", headers=companies.auth, json=user(ID="b", Username="b")
    )
    token = await company_user_admin_token(client, companies, kind)
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["usrtype"] == kind.name and claims["role"] == kind.user_admin
    auth = {"Authorization": f"Bearer {token}"}

    own = await client.post(
        f"{kind.path}/own/users", headers=auth, json=user(ID="new", Username="new")
    )
    assert own.status_code == 201
    for method, suffix in [
        ("GET", "/other/users"),
        ("GET", "/other/users/b"),
        ("DELETE", "/other/users/b"),
        ("POST", "/other/users/b/unlock"),
    ]:
        response = await client.request(method, kind.path + suffix, headers=auth)
        assert response.status_code == 404, suffix
        assert error_of(response)["Data"] == {"ObjectType": kind.object_type, "ObjectID": "other"}
    kept = await client.get(f"{kind.path}/other/users/b", headers=companies.auth)
    assert kept.status_code == 200
    seller_only = await client.get("/v1/adminusers", headers=auth)
    assert error_of(seller_only)["ErrorCode"] == "Auth.UserNotAuthorizedToAdmin"


async def test_unlock_is_204_and_idempotent(
    client: httpx.AsyncClient, companies: Marketplace, kind: CompanyKind
) -> None:
    url = f"{kind.path}/own/users"
    await client.post(url, headers=companies.auth, json=user())
    for _ in range(2):
        response = await client.post(f"{url}/jane/unlock", headers=companies.auth)
        assert response.status_code == 204 and response.content == b""
    unknown = await client.post(f"{url}/nobody/unlock", headers=companies.auth)
    assert error_of(unknown)["Data"] == {"ObjectType": kind.user_object_type, "ObjectID": "nobody"}


async def test_failed_login_attempts_is_read_only(
    client: httpx.AsyncClient, companies: Marketplace, kind: CompanyKind
) -> None:
    url = f"{kind.path}/own/users"
    created = await client.post(url, headers=companies.auth, json=user(FailedLoginAttempts=7))
    assert created.json()["FailedLoginAttempts"] == 0
    patched = await client.patch(
        f"{url}/jane", headers=companies.auth, json={"FailedLoginAttempts": 3}
    )
    assert patched.json()["FailedLoginAttempts"] == 0
