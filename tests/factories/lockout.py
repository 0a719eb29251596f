"""Failed logins, the stored lock and fresh admin tokens for the lockout tests."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select

from gatehouse.runtime import Runtime
from gatehouse.storage.models import UserRow
from tests.factories.companies import user
from tests.factories.marketplaces import ADMIN_PASSWORD, Marketplace, password_token

WRONG = "Wr0ngPassword!"


async def login(
    client: httpx.AsyncClient, mp: Marketplace, password: str, username: str = "jane"
) -> httpx.Response:
    return await password_token(client, mp.client_id, username, password)


def code_of(response: httpx.Response) -> str:
    code: str = response.json()["Errors"][0]["ErrorCode"]
    return code


async def fresh_admin_auth(client: httpx.AsyncClient, mp: Marketplace) -> dict[str, str]:
    """A new token for the marketplace admin, for after the clock moved past the old one."""
    response = await password_token(client, mp.client_id, mp.credentials.username, ADMIN_PASSWORD)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def stored_lock(runtime: Runtime, mp: Marketplace, user_id: str) -> Any:
    async with runtime.db.read() as session:
        return (
            await session.execute(
                select(UserRow.id, UserRow.failed_login_attempts, UserRow.locked_until).where(
                    UserRow.marketplace_id == mp.id, UserRow.external_id == user_id
                )
            )
        ).one()


async def admin_jane(client: httpx.AsyncClient, marketplace: Marketplace) -> Marketplace:
    created = await client.post("/v1/adminusers", headers=marketplace.auth, json=user())
    assert created.status_code == 201
    return marketplace
