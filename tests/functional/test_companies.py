"""What buyers and suppliers share, run once per company kind: IDs never change, roles and the
company boundary, the all-or-nothing cascading DELETE and the default context user blocking it,
and inactive companies' users refused at login. What differs (the models, list fields) stays
in ``test_buyers`` and ``test_suppliers``."""

from __future__ import annotations

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
from tests.factories.kinds import EACH_KIND, CompanyKind
from tests.factories.marketplaces import Marketplace, password_token

pytestmark = [pytest.mark.asyncio, EACH_KIND]


async def create(http: httpx.AsyncClient, mp: Marketplace, kind: CompanyKind, cid: str) -> None:
    created = await http.post(kind.path, headers=mp.auth, json={"ID": cid, "Name": cid})
    assert created.status_code == 201, created.text


async def seller_token(runtime: Runtime, mp: Marketplace, *roles: str) -> dict[str, str]:
    """The marketplace admin's token re-signed with only ``roles``."""
    claims = jwt.decode(mp.token, options={"verify_signature": False})
    return {"Authorization": f"Bearer {await runtime.codec.sign({**claims, 'role': roles})}"}


async def test_ids_cannot_change(
    client: httpx.AsyncClient, marketplace: Marketplace, kind: CompanyKind
) -> None:
    await create(client, marketplace, kind, "acme")
    for method in ("PATCH", "PUT"):
        response = await client.request(
            method, f"{kind.path}/acme", headers=marketplace.auth, json={"ID": "x", "Name": "n"}
        )
        assert response.status_code == 400
        assert response.json()["Errors"][0]["ErrorCode"] == "ValidationFailure"
        assert response.json()["Errors"][0]["Data"] == {"Field": "ID"}
    listed = await client.get(kind.path, headers=marketplace.auth)
    assert [c["ID"] for c in listed.json()["Items"]] == ["acme"]


async def test_roles_and_company_boundaries(
    client: httpx.AsyncClient, marketplace: Marketplace, runtime: Runtime, kind: CompanyKind
) -> None:
    for cid in ("own", "other"):
        await client.post(
            kind.path, headers=marketplace.auth, json={"ID": cid, "Name": cid, "Active": True}
        )
    await create(client, marketplace, kind.other, "neighbour")
    roles = (kind.reader, kind.admin, kind.other.reader)
    reader = await company_user_headers(client, runtime, marketplace, kind.name, "own", *roles)
    listed = await client.get(kind.path, headers=reader)
    assert [c["ID"] for c in listed.json()["Items"]] == ["own"]
    assert (await client.get(f"{kind.path}/own", headers=reader)).status_code == 200
    other = await client.get(f"{kind.path}/other", headers=reader)
    assert other.status_code == 404
    assert other.json()["Errors"][0]["Data"] == {
        "ObjectType": kind.object_type,
        "ObjectID": "other",
    }
    assert (await client.get(kind.other.path, headers=reader)).json()["Items"] == []
    assert (await client.get(f"{kind.other.path}/neighbour", headers=reader)).status_code == 404
    for method, path in (("POST", kind.path), ("PATCH", f"{kind.path}/own")):
        refused = await client.request(method, path, headers=reader, json={"Name": "x"})
        assert refused.status_code == 403
        assert refused.json()["Errors"][0]["ErrorCode"] == "Auth.UserNotAuthorizedToAdmin"
    assert (await client.delete(f"{kind.path}/own", headers=reader)).status_code == 403
    kept = await client.get(f"{kind.path}/own", headers=marketplace.auth)
    assert kept.json()["Name"] == "own"


async def test_company_users_without_company_roles_are_refused(
    client: httpx.AsyncClient, marketplace: Marketplace, runtime: Runtime, kind: CompanyKind
) -> None:
    await client.post(
        kind.path, headers=marketplace.auth, json={"ID": "acme", "Name": "A", "Active": True}
    )
    shopper = await company_user_headers(client, runtime, marketplace, kind.name, "acme", "MeAdmin")
    for path in (kind.path, f"{kind.path}/acme"):
        response = await client.get(path, headers=shopper)
        assert response.status_code == 403
        assert response.json()["Errors"][0]["ErrorCode"] == "Auth.InsufficientRoles"


async def test_seller_needs_company_roles(
    client: httpx.AsyncClient, marketplace: Marketplace, runtime: Runtime, kind: CompanyKind
) -> None:
    reader = await seller_token(runtime, marketplace, kind.reader)
    assert (await client.get(kind.path, headers=reader)).status_code == 200
    body = {"ID": "acme", "Name": "A"}
    refused = await client.post(kind.path, headers=reader, json=body)
    assert refused.status_code == 403
    assert refused.json()["Errors"][0]["Data"]["SufficientRoles"] == ["FullAccess", kind.admin]
    admin = await seller_token(runtime, marketplace, kind.admin)
    assert (await client.post(kind.path, headers=admin, json=body)).status_code == 201


async def test_delete_removes_everything_of_that_company_only(
    client: httpx.AsyncClient, marketplace: Marketplace, runtime: Runtime, kind: CompanyKind
) -> None:
    for cid in ("doomed", "kept"):
        await create(client, marketplace, kind, cid)
        await seed_company_data(client, runtime, marketplace, kind.name, cid)
    assert await company_rows(runtime, marketplace, kind.name, "doomed") == [1, 1, 1, 1, 3]

    deleted = await client.delete(f"{kind.path}/doomed", headers=marketplace.auth)
    assert deleted.status_code == 204
    assert await company_rows(runtime, marketplace, kind.name, "doomed") == [0, 0, 0, 0, 0]
    assert await company_rows(runtime, marketplace, kind.name, "kept") == [1, 1, 1, 1, 3]
    listed = await client.get(kind.path, headers=marketplace.auth)
    assert [c["ID"] for c in listed.json()["Items"]] == ["kept"]
    seller = await client.get("/v1/adminusers", headers=marketplace.auth)
    assert seller.json()["Meta"]["TotalCount"] == 1  # the seller's own users are untouched


async def test_default_context_user_blocks_delete(
    client: httpx.AsyncClient, marketplace: Marketplace, runtime: Runtime, kind: CompanyKind
) -> None:
    await create(client, marketplace, kind, "acme")
    client_id = await seed_company_data(client, runtime, marketplace, kind.name, "acme")
    await client.patch(
        f"/v1/apiclients/{client_id}",
        headers=marketplace.auth,
        json={"DefaultContextUserName": f"{kind.name.upper()}-ACME-U1"},
    )
    refused = await client.delete(f"{kind.path}/acme", headers=marketplace.auth)
    assert refused.status_code == 409
    error = refused.json()["Errors"][0]
    assert error["ErrorCode"] == "User.CannotDeleteDefaultContextUser"
    assert error["Data"] == {"ObjectType": kind.user_object_type, "ObjectID": "u1"}
    assert await company_rows(runtime, marketplace, kind.name, "acme") == [1, 1, 1, 1, 3]
    assert (await client.get(f"{kind.path}/acme", headers=marketplace.auth)).status_code == 200

    await client.delete(f"/v1/apiclients/{client_id}", headers=marketplace.auth)
    assert (await client.delete(f"{kind.path}/acme", headers=marketplace.auth)).status_code == 204
    assert await company_rows(runtime, marketplace, kind.name, "acme") == [0, 0, 0, 0, 0]


async def test_inactive_company_users_cannot_log_in(
    client: httpx.AsyncClient, marketplace: Marketplace, runtime: Runtime, kind: CompanyKind
) -> None:
    await create(client, marketplace, kind, "acme")  # Active: false
    client_id = await seed_company_data(client, runtime, marketplace, kind.name, "acme")
    username = f"{kind.name}-acme-u1"
    refused = await password_token(client, client_id, username, PASSWORD)
    assert refused.status_code == 400
    assert refused.json()["error"] == "invalid_grant"
    assert refused.json()["Errors"][0]["ErrorCode"] == "Auth.CompanyNotActive"
    await client.patch(f"{kind.path}/acme", headers=marketplace.auth, json={"Active": True})
    allowed = await password_token(client, client_id, username, PASSWORD)
    assert allowed.status_code == 200, allowed.text
