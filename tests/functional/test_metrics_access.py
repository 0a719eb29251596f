"""``/metrics`` is safe by default (issue 10, item 9): without ``GATEHOUSE_METRICS_TOKEN`` it
is served only on a loopback-bound server or with ``GATEHOUSE_METRICS_PUBLIC``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest

from gatehouse.app import create_app
from gatehouse.http.metrics_access import is_loopback
from gatehouse.settings import Settings
from tests.factories.marketplaces import BASE_URL
from tests.support.server import server, stop

PATHS = ("/metrics", "/gatehouse/metrics")
ALL_INTERFACES = "0.0.0.0"  # noqa: S104 - what these tests are about


@asynccontextmanager
async def app_client(settings: Settings, **update: object) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings.model_copy(update=update))
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
            yield http
    finally:
        await app.state.runtime.db.dispose()


@pytest.mark.asyncio
@pytest.mark.parametrize("host", [ALL_INTERFACES, "::", "10.1.2.3", "gatehouse.example.com"])
async def test_closed_without_a_token_off_loopback(settings: Settings, host: str) -> None:
    async with app_client(settings, host=host) as http:
        for path in PATHS:
            refused = await http.get(path)
            assert refused.status_code == 403, refused.text
            error = refused.json()["Errors"][0]
            assert error["ErrorCode"] == "Metrics.Disabled"
            assert "GATEHOUSE_METRICS_TOKEN" in error["Message"]
            assert "client_id" not in refused.text


@pytest.mark.asyncio
@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "localhost"])
async def test_open_on_loopback(settings: Settings, host: str) -> None:
    assert is_loopback(host)
    async with app_client(settings, host=host) as http:
        for path in PATHS:
            assert (await http.get(path)).status_code == 200


@pytest.mark.asyncio
async def test_open_when_declared_public_or_with_its_token(settings: Settings) -> None:
    async with app_client(settings, host=ALL_INTERFACES, metrics_public=True) as http:
        assert (await http.get("/metrics")).status_code == 200
    token = "t" * 32
    async with app_client(settings, host=ALL_INTERFACES, metrics_token=token) as http:
        assert (await http.get("/metrics")).status_code == 401
        allowed = await http.get("/metrics", headers={"Authorization": f"Bearer {token}"})
        assert allowed.status_code == 200


@pytest.mark.slow
def test_real_server_bound_to_all_interfaces(tmp_path: object) -> None:
    with server(f"sqlite:///{tmp_path}/m.db", env={"GATEHOUSE_HOST": ALL_INTERFACES}) as (
        base,
        process,
    ):
        for path in PATHS:
            assert httpx.get(f"{base}{path}").status_code == 403
        output = stop(process)
    assert "/metrics is disabled" in output
    assert "GATEHOUSE_METRICS_TOKEN" in output
