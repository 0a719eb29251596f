"""A buyer user ``jane`` with her own profile and company, for the Me tests and the Me cache
tests."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from gatehouse.runtime import Runtime
from gatehouse.storage.models import BuyerRow, SupplierRow
from tests.factories.companies import PASSWORD, company_client, user
from tests.factories.marketplaces import Marketplace, password_token


async def me_companies(runtime: Runtime, marketplace: Marketplace) -> Marketplace:
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
