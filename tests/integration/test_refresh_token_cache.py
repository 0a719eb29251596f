"""The ``refresh_token`` grant from the per-process cache of stored refresh tokens
(``oauth.refresh_records``): a warm refresh opens no session and runs no SQL, a login (an
INSERT) keeps what is cached, and every UPDATE or DELETE of ``refresh_tokens``, through the
unit of work or a bulk statement, empties it at commit (``storage.invalidation``)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import httpx
import pytest
from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncSession

from gatehouse.crypto import sha256_hex
from gatehouse.runtime import Runtime
from gatehouse.storage.models import RefreshTokenRow
from tests.factories.clock import AdjustableClock
from tests.factories.marketplaces import Marketplace
from tests.factories.refresh_tokens import PASSWORD, jane_login, jane_shop, new_client, refresh
from tests.factories.tokens import assert_oauth_error
from tests.support.sql import all_statements

pytestmark = pytest.mark.asyncio
Write = Callable[[AsyncSession, str, AdjustableClock], Awaitable[None]]


@pytest.fixture
async def shop(
    client: httpx.AsyncClient, runtime: Runtime, marketplace: Marketplace
) -> Marketplace:
    return await jane_shop(client, runtime, marketplace)


async def warm(client: httpx.AsyncClient, shop: Marketplace) -> tuple[str, str]:
    """A client, and a refresh token of jane's already refreshed once (so cached)."""
    client_id = await new_client(client, shop)
    token: str = (await jane_login(client, client_id))["refresh_token"]
    assert (await refresh(client, client_id, token)).status_code == 200
    return client_id, token


async def test_a_warm_refresh_opens_no_session_and_runs_no_sql(
    client: httpx.AsyncClient,
    runtime: Runtime,
    shop: Marketplace,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client_id, token = await warm(client, shop)
    opened: list[str] = []
    read = runtime.db.read

    @asynccontextmanager
    async def counted() -> AsyncIterator[AsyncSession]:
        opened.append("read")
        async with read() as session:
            yield session

    monkeypatch.setattr(runtime.db, "read", counted)
    with all_statements(runtime.db) as seen:
        response = await refresh(client, client_id, token)
    assert response.status_code == 200, response.text
    assert seen == []
    assert opened == []


async def test_a_login_keeps_the_cached_tokens(
    client: httpx.AsyncClient, runtime: Runtime, shop: Marketplace
) -> None:
    """Every login inserts a refresh token: that must not empty the cache."""
    client_id, token = await warm(client, shop)
    cached = len(runtime.refresh_tokens)
    other = (await jane_login(client, client_id))["refresh_token"]
    assert other != token
    assert len(runtime.refresh_tokens) == cached
    with all_statements(runtime.db) as seen:
        assert (await refresh(client, client_id, token)).status_code == 200
    assert seen == []


async def bulk_update(session: AsyncSession, sha: str, clock: AdjustableClock) -> None:
    rows = update(RefreshTokenRow).where(RefreshTokenRow.token_sha256 == sha)
    await session.execute(rows.values(revoked_at=clock.now()))


async def bulk_delete(session: AsyncSession, sha: str, clock: AdjustableClock) -> None:
    await session.execute(delete(RefreshTokenRow).where(RefreshTokenRow.token_sha256 == sha))


async def unit_of_work_update(session: AsyncSession, sha: str, clock: AdjustableClock) -> None:
    row = await session.get(RefreshTokenRow, sha)
    assert row is not None
    row.revoked_at = clock.now()


async def unit_of_work_delete(session: AsyncSession, sha: str, clock: AdjustableClock) -> None:
    row = await session.get(RefreshTokenRow, sha)
    assert row is not None
    await session.delete(row)


@pytest.mark.parametrize(
    "write", [bulk_update, bulk_delete, unit_of_work_update, unit_of_work_delete]
)
async def test_every_update_or_delete_shows_on_the_next_refresh(
    client: httpx.AsyncClient,
    runtime: Runtime,
    clock: AdjustableClock,
    shop: Marketplace,
    write: Write,
) -> None:
    client_id, token = await warm(client, shop)
    assert len(runtime.refresh_tokens) > 0
    async with runtime.db.write() as session:
        await write(session, sha256_hex(token), clock)
    assert len(runtime.refresh_tokens) == 0
    response = await refresh(client, client_id, token)
    assert_oauth_error(response, 400, "invalid_grant", "Auth.InvalidRefreshToken")


async def test_a_rolled_back_revocation_keeps_the_cache(
    client: httpx.AsyncClient, runtime: Runtime, clock: AdjustableClock, shop: Marketplace
) -> None:
    client_id, token = await warm(client, shop)
    cached = len(runtime.refresh_tokens)

    async def revoke_then_fail() -> None:
        async with runtime.db.write() as session:
            await bulk_update(session, sha256_hex(token), clock)
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        await revoke_then_fail()
    assert len(runtime.refresh_tokens) == cached
    assert (await refresh(client, client_id, token)).status_code == 200


async def test_a_deleted_user_s_token_is_gone_even_if_sqlite_reuses_the_id(
    client: httpx.AsyncClient, runtime: Runtime, shop: Marketplace
) -> None:
    """Deleting a user deletes its refresh tokens by ``ON DELETE CASCADE``, which the ORM never
    sees: the cache empties on the user table's own invalidation. SQLite may give the next
    user the same integer id, which a stale record would name."""
    client_id, token = await warm(client, shop)
    user = "/v1/buyers/buyer-a/users/jane"
    body = (await client.get(user, headers=shop.auth)).json()
    assert (await client.delete(user, headers=shop.auth)).status_code == 204
    again = {**body, "Password": PASSWORD}
    created = await client.post("/v1/buyers/buyer-a/users", headers=shop.auth, json=again)
    assert created.status_code == 201, created.text
    response = await refresh(client, client_id, token)
    assert_oauth_error(response, 400, "invalid_grant", "Auth.InvalidRefreshToken")
