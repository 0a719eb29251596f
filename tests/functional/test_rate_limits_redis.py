"""Rate limits with counters in Redis (``GATEHOUSE_REDIS_URL``): two apps (two processes'
worth of state) sharing one Redis see one bucket per client and one failure window per
username; the Lua scripts do the same arithmetic as the in-process counters; keys expire;
and an unreachable Redis fails open to per-process counters with a warning.

Each test uses its own key prefix and deletes its keys. Skipped when no Redis answers at
``GATEHOUSE_TEST_REDIS_URL`` (default ``redis://127.0.0.1:6379/0``) unless ``CI=true``.
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

import httpx
import pytest
import redis.asyncio as aioredis
from fastapi import FastAPI

from gatehouse.app import create_app
from gatehouse.domain.rate_limits import Bucket
from gatehouse.ratelimit.counters import InProcessCounters, RedisCounters
from gatehouse.settings import Settings
from tests.factories.clock import AdjustableClock
from tests.factories.marketplaces import ADMIN_PASSWORD, BASE_URL, Marketplace, password_token
from tests.factories.rate_limits import assert_rate_limited, limits_url, new_client, put_limits

pytestmark = pytest.mark.asyncio
REDIS_URL = os.environ.get("GATEHOUSE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
async def prefix() -> AsyncIterator[str]:
    """A key prefix of this test's own; its keys are deleted afterwards."""
    client = aioredis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        await client.ping()
    except (OSError, aioredis.RedisError):
        await client.aclose()
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"no Redis at {REDIS_URL}")
    name = f"gatehouse-test-{secrets.token_hex(6)}:"
    try:
        yield name
    finally:
        keys = [key async for key in client.scan_iter(match=f"{name}*")]
        if keys:
            await client.delete(*keys)
        await client.aclose()


@asynccontextmanager
async def _apps(
    settings: Settings, clock: AdjustableClock, count: int
) -> AsyncIterator[list[FastAPI]]:
    async with AsyncExitStack() as stack:
        apps = []
        for _ in range(count):
            application = create_app(settings, clock=clock)
            await stack.enter_async_context(application.router.lifespan_context(application))
            apps.append(application)
        yield apps


@pytest.fixture
async def shared(
    settings: Settings, clock: AdjustableClock, prefix: str
) -> AsyncIterator[list[httpx.AsyncClient]]:
    """Two apps sharing Redis (three failed passwords an hour, to keep the test short)."""
    redis_settings = settings.model_copy(
        update={"redis_url": REDIS_URL, "redis_key_prefix": prefix, "failed_passwords_per_hour": 3}
    )
    async with AsyncExitStack() as stack:
        clients = []
        async with _apps(redis_settings, clock, 2) as apps:
            for application in apps:
                transport = httpx.ASGITransport(app=application)
                http = httpx.AsyncClient(transport=transport, base_url=BASE_URL)
                clients.append(await stack.enter_async_context(http))
            yield clients


async def login(http: httpx.AsyncClient, mp: Marketplace, client_id: str) -> httpx.Response:
    return await password_token(http, client_id, mp.credentials.username, ADMIN_PASSWORD)


async def test_two_processes_share_one_token_bucket(
    client: httpx.AsyncClient, marketplace: Marketplace, shared: list[httpx.AsyncClient]
) -> None:
    a, b = shared
    cid = await new_client(client, marketplace)
    other = await new_client(client, marketplace, "Other")
    await put_limits(client, marketplace, cid, TokenRequestsPerMinute=1, TokenBurst=3)
    assert (await login(a, marketplace, cid)).status_code == 200
    assert (await login(b, marketplace, cid)).status_code == 200
    assert (await login(a, marketplace, cid)).status_code == 200
    assert_rate_limited(await login(b, marketplace, cid), 60, "RateLimit.Exceeded")
    assert_rate_limited(await login(a, marketplace, cid), 60, "RateLimit.Exceeded")
    for http in (a, b):  # no collateral
        assert (await login(http, marketplace, other)).status_code == 200


async def test_two_processes_share_one_api_bucket(
    client: httpx.AsyncClient, marketplace: Marketplace, shared: list[httpx.AsyncClient]
) -> None:
    a, b = shared
    cid = await new_client(client, marketplace)
    token = (await login(a, marketplace, cid)).json()["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    await put_limits(client, marketplace, cid, ApiRequestsPerMinute=1, ApiBurst=2)
    assert (await a.get("/v1/me", headers=auth)).status_code == 200
    assert (await b.get("/v1/me", headers=auth)).status_code == 200
    assert_rate_limited(await a.get("/v1/me", headers=auth), 60, "RateLimit.Exceeded")
    assert_rate_limited(await b.get("/v1/me", headers=auth), 60, "RateLimit.Exceeded")
    assert (await b.get("/v1/me", headers=marketplace.auth)).status_code == 200
    lifted = await client.delete(limits_url(cid), headers=marketplace.auth)
    assert lifted.status_code == 204


async def test_two_processes_share_one_failure_window(
    marketplace: Marketplace, shared: list[httpx.AsyncClient]
) -> None:
    a, b = shared
    username = marketplace.credentials.username
    for http in (a, b, a):
        wrong = await password_token(http, marketplace.client_id, username, "Wr0ngPassword!")
        assert wrong.status_code == 400
    for http in (b, a):
        refused = await password_token(http, marketplace.client_id, username, ADMIN_PASSWORD)
        assert_rate_limited(refused, 3600, "Auth.TooManyFailedAttempts", slack=60)


async def test_lua_matches_the_in_process_arithmetic_and_keys_expire(prefix: str) -> None:
    local = InProcessCounters()
    remote = RedisCounters(REDIS_URL, prefix, fallback=InProcessCounters())
    try:
        bucket = Bucket(per_minute=30, burst=3)
        base = 1_800_000_000.0
        for offset in (0, 0, 0, 0, 0.5, 1.0, 2.0, 2.0, 10.0, 10.0, 10.0, 10.0, 9.0):
            expected = await local.take("k", bucket, base + offset)
            got = await remote.take("k", bucket, base + offset)
            assert got == pytest.approx(expected, abs=0.002), offset
        for i in range(4):
            expected_window = await local.reserve("w", f"m{i}", 3, 3600, base + i)
            got_window = await remote.reserve("w", f"m{i}", 3, 3600, base + i)
            assert got_window[0] == pytest.approx(expected_window[0], abs=0.002)
            assert (got_window[1] is None) == (expected_window[1] is None)
        client = aioredis.from_url(REDIS_URL)
        try:
            keys = [key async for key in client.scan_iter(match=f"{prefix}*")]
            assert len(keys) == 2
            for key in keys:
                assert 0 < await client.pttl(key) <= 3_660_000
        finally:
            await client.aclose()
    finally:
        await remote.close()


async def test_unreachable_redis_fails_open_to_per_process_counters(
    client: httpx.AsyncClient,
    marketplace: Marketplace,
    settings: Settings,
    clock: AdjustableClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    cid = await new_client(client, marketplace)
    await put_limits(client, marketplace, cid, TokenRequestsPerMinute=1, TokenBurst=2)
    broken = settings.model_copy(update={"redis_url": "redis://127.0.0.1:1/0"})
    with caplog.at_level(logging.WARNING, logger="gatehouse.ratelimit"):
        async with _apps(broken, clock, 1) as apps:
            transport = httpx.ASGITransport(app=apps[0])
            async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
                assert (await login(http, marketplace, cid)).status_code == 200
                assert (await login(http, marketplace, cid)).status_code == 200
                # The limit still holds in this process.
                assert_rate_limited(await login(http, marketplace, cid), 60, "RateLimit.Exceeded")
                # Failed passwords are still counted (not refused for Redis being away).
                wrong = await password_token(
                    http, marketplace.client_id, "someone", "Wr0ngPassword!"
                )
                assert wrong.status_code == 400
    warnings = [r for r in caplog.records if "Redis unavailable" in r.getMessage()]
    assert len(warnings) == 1  # not one per request


@pytest.mark.slow
async def test_a_two_worker_server_holds_one_limit(fresh_database_url: str, prefix: str) -> None:
    """Real worker processes: whichever worker answers, the client gets exactly its burst."""
    import json

    from tests.support.server import gatehouse, server
    from tests.support.server import login as server_login

    password = "B00tstrapPassword"
    env = {
        "GATEHOUSE_BOOTSTRAP_USERNAME": "admin",
        "GATEHOUSE_BOOTSTRAP_PASSWORD": password,
        "GATEHOUSE_REDIS_URL": REDIS_URL,
        "GATEHOUSE_REDIS_KEY_PREFIX": prefix,
    }
    with server(fresh_database_url, workers=2, env=env) as (base, _process):
        created = gatehouse(
            "marketplace", "create", "--name", "R", "--admin-username", "r",
            "--admin-password", password, "--json", "--database-url", fresh_database_url,
        )  # fmt: skip
        creds = json.loads(created.stdout)
        limited = gatehouse(
            "ratelimits", "set", "--client-id", creds["ApiClientID"], "--token-per-minute",
            "1", "--token-burst", "4", "--database-url", fresh_database_url,
        )  # fmt: skip
        assert limited.returncode == 0, limited.stderr
        statuses = [
            server_login(base, creds["ApiClientID"], "r", password).status_code for _ in range(10)
        ]
        assert statuses.count(200) == 4, statuses
        assert statuses.count(429) == 6, statuses
