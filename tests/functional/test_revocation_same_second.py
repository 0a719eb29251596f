"""Revocations within one second (issue 10 item 1): every revocation ends every token issued
before the revoking call returned, whatever the order of user and client revocations within a
second, and a token issued after it returned keeps working. (The property over every
interleaving, on the pure rules: tests/unit/domain/test_revocation_interleavings.py.)"""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gatehouse.runtime import Runtime
from tests.factories.marketplaces import Marketplace
from tests.factories.refresh_tokens import jane_login, jane_shop, new_client
from tests.factories.revocation import OK, REVOKED, me_status

pytestmark = pytest.mark.asyncio


async def start_of_a_second() -> None:
    """Wait until a new wall-clock second has just begun, so what follows runs within it."""
    fraction = time.time() % 1
    await asyncio.sleep(1 - fraction + 0.01)


async def revoke_user(http: httpx.AsyncClient, mp: Marketplace) -> None:
    response = await http.delete("/v1/buyers/buyer-a/users/jane/tokens", headers=mp.auth)
    assert response.status_code == 204, response.text


async def revoke_client(http: httpx.AsyncClient, mp: Marketplace, client_id: str) -> None:
    response = await http.delete(f"/gatehouse/apiclients/{client_id}/tokens", headers=mp.auth)
    assert response.status_code == 204, response.text


async def test_token_issued_after_a_user_revocation_dies_with_its_client_in_that_second(
    client: httpx.AsyncClient, shop: Marketplace
) -> None:
    """The issue's case: jane's tokens are revoked, she logs in again in the same second, and
    her client's tokens are revoked in that second too: the new token must die."""
    client_id = await new_client(client, shop)
    await start_of_a_second()
    await revoke_user(client, shop)
    token = (await jane_login(client, client_id))["access_token"]
    assert await me_status(client, token) == OK
    await revoke_client(client, shop, client_id)
    assert await me_status(client, token) == REVOKED
    after = (await jane_login(client, client_id))["access_token"]
    assert await me_status(client, after) == OK


async def test_token_issued_after_a_client_revocation_dies_with_its_user_in_that_second(
    client: httpx.AsyncClient, shop: Marketplace
) -> None:
    client_id = await new_client(client, shop)
    await start_of_a_second()
    await revoke_client(client, shop, client_id)
    token = (await jane_login(client, client_id))["access_token"]
    assert await me_status(client, token) == OK
    await revoke_user(client, shop)
    assert await me_status(client, token) == REVOKED
    assert await me_status(client, (await jane_login(client, client_id))["access_token"]) == OK


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(steps=st.lists(st.sampled_from(["login", "user", "client", "me"]), min_size=2, max_size=7))
async def test_any_interleaving_within_a_second_over_http(
    client: httpx.AsyncClient, shop: Marketplace, steps: list[str]
) -> None:
    """Random sequences of logins and revocations of jane and of her client, run back to back
    (mostly within one second): after each revocation, every earlier token is refused; every
    token issued after the last revocation works."""
    client_id = await new_client(client, shop)
    tokens: list[tuple[str, bool]] = []  # (token, must still work)
    for step in steps:
        if step == "login":
            tokens.append(((await jane_login(client, client_id))["access_token"], True))
        elif step in ("user", "client"):
            if step == "user":
                await revoke_user(client, shop)
            else:
                await revoke_client(client, shop, client_id)
            tokens = [(token, False) for token, _ in tokens]
        for token, alive in tokens:
            assert await me_status(client, token) == (OK if alive else REVOKED)


@pytest.fixture
async def shop(
    client: httpx.AsyncClient, runtime: Runtime, marketplace: Marketplace
) -> Marketplace:
    return await jane_shop(client, runtime, marketplace)
