"""Issue 13 points 4 and 6 in-process: one access log line per request (request id, client,
route template, status, duration), ``X-Request-Id`` echoed, and client addresses taken from
``X-Forwarded-For`` only when the peer is a trusted proxy; the issuer never follows proxy
headers, and rate limits never key on addresses."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import httpx
import jwt
import pytest
import pytest_asyncio
from fastapi import FastAPI

from gatehouse.app import create_app
from gatehouse.logs import JsonFormatter
from gatehouse.settings import Settings
from tests.factories.clock import AdjustableClock
from tests.factories.marketplaces import ADMIN_PASSWORD, BASE_URL, Marketplace, password_token

PROXY = "10.1.2.3"
SHOPPER = "203.0.113.9"


def access_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "gatehouse.access"]


@pytest.fixture
def access(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO, logger="gatehouse.access")
    return caplog


async def test_one_line_per_request_with_the_echoed_request_id(
    client: httpx.AsyncClient, marketplace: Marketplace, access: pytest.LogCaptureFixture
) -> None:
    access.clear()
    response = await client.get(f"/v1/apiclients/{marketplace.client_id}", headers=marketplace.auth)
    assert response.status_code == 200
    rid = response.headers["x-request-id"]
    assert len(rid) == 32
    [record] = access_records(access)
    line: dict[str, Any] = json.loads(JsonFormatter().format(record))
    assert {k: line[k] for k in ("request_id", "method", "route", "status", "client_id")} == {
        "request_id": rid,
        "method": "GET",
        "route": "/v1/apiclients/{apiClientID}",
        "status": 200,
        "client_id": marketplace.client_id,
    }
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["client_addr"] == "127.0.0.1"
    assert marketplace.token not in json.dumps(line)


async def test_the_token_endpoint_line_names_client_and_grant(
    client: httpx.AsyncClient, marketplace: Marketplace, access: pytest.LogCaptureFixture
) -> None:
    access.clear()
    username = marketplace.credentials.username
    response = await password_token(client, marketplace.client_id, username, ADMIN_PASSWORD)
    assert response.status_code == 200
    [record] = access_records(access)
    assert (record.route, record.status, record.client_id, record.grant_type) == (  # type: ignore[attr-defined]
        "/oauth/token",
        200,
        marketplace.client_id,
        "password",
    )
    assert ADMIN_PASSWORD not in record.getMessage() and username not in record.getMessage()


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("abc-123_x.y:z", True),
        ("a" * 128, True),
        ("a" * 129, False),
        ("two words", False),
        ("evil\\nforged line", False),
        ("", False),
    ],
)
async def test_an_incoming_request_id_is_kept_only_when_sane(
    client: httpx.AsyncClient, sent: str, kept: bool
) -> None:
    response = await client.get("/gatehouse/health", headers={"X-Request-Id": sent})
    echoed = response.headers["x-request-id"]
    assert (echoed == sent) is kept
    if not kept:
        assert len(echoed) == 32 and int(echoed, 16) >= 0


async def test_refusals_made_before_routing_are_logged_too(
    client: httpx.AsyncClient, access: pytest.LogCaptureFixture
) -> None:
    access.clear()
    response = await client.post("/oauth/token", content=b"x" * 2_000_000)
    assert response.status_code == 413
    assert "x-request-id" in response.headers
    [record] = access_records(access)
    assert record.status == 413  # type: ignore[attr-defined]


# --- behind a reverse proxy ------------------------------------------------------------


@pytest_asyncio.fixture
async def proxied_app(settings: Settings, clock: AdjustableClock) -> AsyncIterator[FastAPI]:
    application = create_app(settings.model_copy(update={"trusted_proxies": PROXY}), clock=clock)
    async with application.router.lifespan_context(application):
        yield application


def via(app: FastAPI, peer: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(peer, 40000))
    return httpx.AsyncClient(transport=transport, base_url=BASE_URL)


FORWARDED = {"X-Forwarded-For": SHOPPER, "X-Forwarded-Proto": "https", "Host": "evil.example"}


@pytest.mark.parametrize(("peer", "address"), [(PROXY, SHOPPER), ("192.0.2.50", "192.0.2.50")])
async def test_forwarded_addresses_count_only_from_a_trusted_proxy(
    proxied_app: FastAPI, access: pytest.LogCaptureFixture, peer: str, address: str
) -> None:
    access.clear()
    async with via(proxied_app, peer) as http:
        assert (await http.get("/gatehouse/health", headers=FORWARDED)).status_code == 200
    [record] = access_records(access)
    assert record.client_addr == address  # type: ignore[attr-defined]


async def test_without_trusted_proxies_forwarded_headers_are_ignored(
    client: httpx.AsyncClient, access: pytest.LogCaptureFixture
) -> None:
    access.clear()
    await client.get("/gatehouse/health", headers=FORWARDED)
    [record] = access_records(access)
    assert record.client_addr == "127.0.0.1"  # type: ignore[attr-defined]


async def test_the_issuer_stays_the_base_url_behind_a_proxy(
    proxied_app: FastAPI, marketplace: Marketplace
) -> None:
    async with via(proxied_app, PROXY) as http:
        login = {
            "grant_type": "password",
            "client_id": marketplace.client_id,
            "username": marketplace.credentials.username,
            "password": ADMIN_PASSWORD,
        }
        token = (await http.post("/oauth/token", data=login, headers=FORWARDED)).json()
        claims = jwt.decode(token["access_token"], options={"verify_signature": False})
        discovery = (
            await http.get("/.well-known/oauth-authorization-server", headers=FORWARDED)
        ).json()
    assert claims["iss"] == claims["aud"] == BASE_URL
    assert discovery["issuer"] == BASE_URL
    assert discovery["token_endpoint"] == f"{BASE_URL}/oauth/token"


async def test_rate_limits_ignore_addresses_even_from_a_trusted_proxy(
    proxied_app: FastAPI, marketplace: Marketplace
) -> None:
    """Buckets are per client (and per username for failed passwords), never per address:
    a caller cannot escape a limit by sending other X-Forwarded-For values."""
    async with via(proxied_app, PROXY) as http:
        limits = {"TokenRequestsPerMinute": 1, "TokenBurst": 2}
        put = await http.put(
            f"/gatehouse/apiclients/{marketplace.client_id}/ratelimits",
            headers=marketplace.auth,
            json=limits,
        )
        assert put.status_code == 200, put.text
        statuses = []
        for n in range(3):
            response = await http.post(
                "/oauth/token",
                data={"grant_type": "password", "client_id": marketplace.client_id},
                headers={"X-Forwarded-For": f"198.51.100.{n}"},
            )
            statuses.append(response.status_code)
    assert statuses == [400, 400, 429]
