"""Companies, their users and their clients, made for tests (through the services or the
HTTP API), and small helpers reading errors."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import jwt
from sqlalchemy import func, select

from gatehouse.domain.users import UserType
from gatehouse.runtime import Runtime
from gatehouse.services.users import UserScope
from gatehouse.storage.models import (
    ApiClientAssignmentRow,
    BuyerRow,
    SecurityProfileAssignmentRow,
    SupplierRow,
    UserGroupAssignmentRow,
    UserGroupRow,
    UserRow,
)
from tests.factories.marketplaces import Marketplace, password_token

PASSWORD = "Passw0rdPassw0rd"


async def add_companies(runtime: Runtime, mp: Marketplace, kind: str, *ids: str) -> None:
    model = BuyerRow if kind == "buyer" else SupplierRow
    async with runtime.db.write() as session:
        for company_id in ids:
            session.add(
                model(
                    marketplace_id=mp.id,
                    id=company_id,
                    name=company_id,
                    active=True,
                    created_at=datetime.now(UTC),
                )
            )


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


async def headers_with(
    runtime: Runtime, mp: Marketplace, roles: list[str], **claims: Any
) -> dict[str, str]:
    """A token signed by the server with other roles (and claims) than the admin's."""
    base = jwt.decode(mp.token, options={"verify_signature": False})
    base.update(role=roles, **claims)
    return {"Authorization": f"Bearer {await runtime.codec.sign(base)}"}


async def company_client(client: httpx.AsyncClient, mp: Marketplace) -> str:
    created = await client.post(
        "/v1/apiclients",
        headers=mp.auth,
        json={
            "AppName": "Storefront",
            "AccessTokenDuration": 60,
            "AllowAnyBuyer": True,
            "AllowAnySupplier": True,
        },
    )
    client_id: str = created.json()["ID"]
    return client_id


def error_of(response: httpx.Response) -> dict[str, Any]:
    error: dict[str, Any] = response.json()["Errors"][0]
    return error


async def company_user(runtime: Runtime, mp: Marketplace, kind: str) -> tuple[int, str]:
    """Companies ``own`` and ``other`` of ``kind``, and a user of ``own``: (internal id, username)."""
    from datetime import UTC, datetime

    from gatehouse.domain.users import UserType
    from gatehouse.storage.models import BuyerRow, SupplierRow

    model = BuyerRow if kind == "buyer" else SupplierRow
    async with runtime.db.write() as session:
        for company in ("own", "other"):
            session.add(
                model(
                    marketplace_id=mp.id,
                    id=company,
                    name=company,
                    active=True,
                    created_at=datetime.now(UTC),
                )
            )
    view = await runtime.services.users.create(
        mp.id,
        UserScope(UserType(kind), "own"),
        {
            "id": "me",
            "username": f"{kind}-me",
            "password": "Passw0rdPassw0rd",
            "first_name": "F",
            "last_name": "L",
            "email": "e@example.com",
            "active": True,
        },
    )
    return view.user.internal_id, view.user.username


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
