"""CORS over HTTP on the real app: every deployment setting (default, a list, ``*``, empty)
× every endpoint kind (token, /v1, certs, well-known, /gatehouse) × preflight or actual
request, from a listed and an unlisted origin (decisions.md "Browsers (CORS)")."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI

from gatehouse.app import create_app
from gatehouse.services.audit import TokenAuditLog
from gatehouse.settings import Settings
from tests.factories.clock import AdjustableClock
from tests.factories.marketplaces import ADMIN_PASSWORD, BASE_URL, Marketplace

LISTED = "https://shop.example"
UNLISTED = "https://elsewhere.example"
DEFAULT = "default"
SETTINGS = {DEFAULT: None, "list": f"{LISTED} https://admin.example:8443", "any": "*", "off": ""}
# kind → (method, path, form body, expected status of the actual request)
REQUESTS: dict[str, tuple[str, str, dict[str, str] | None, int]] = {
    "token": ("POST", "/oauth/token", {"grant_type": "password", "client_id": "nope"}, 400),
    "v1": ("GET", "/v1/me", None, 401),
    "certs": ("GET", "/oauth/certs/no-such-kid", None, 404),
    "well-known": ("GET", "/.well-known/oauth-authorization-server", None, 200),
    "gatehouse": ("GET", "/gatehouse/health", None, 200),
}


@pytest_asyncio.fixture(scope="module")
async def apps(settings: Settings, clock: AdjustableClock) -> AsyncIterator[dict[str, FastAPI]]:
    """One app per setting, on the session's database."""
    async with AsyncExitStack() as stack:
        built: dict[str, FastAPI] = {}
        for name, value in SETTINGS.items():
            changed = {} if value is None else {"cors_origins": value}
            app = create_app(settings.model_copy(update=changed), clock=clock)
            await stack.enter_async_context(app.router.lifespan_context(app))
            built[name] = app
        yield built


def allowed(setting: str, kind: str, origin: str) -> bool:
    value = SETTINGS[setting]
    if kind == "gatehouse" or value == "":
        return False
    return value in (None, "*") or origin == LISTED


async def send(app: FastAPI, request: httpx.Request) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL) as http:
        return await http.send(request)


def preflight(method: str, path: str, origin: str) -> httpx.Request:
    return httpx.Request(
        "OPTIONS",
        BASE_URL + path,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )


def vary(response: httpx.Response) -> set[str]:
    return {v.strip().lower() for v in response.headers.get("vary", "").split(",") if v.strip()}


@pytest.mark.parametrize("origin", [LISTED, UNLISTED])
@pytest.mark.parametrize("kind", list(REQUESTS))
@pytest.mark.parametrize("setting", list(SETTINGS))
async def test_preflight(apps: dict[str, FastAPI], setting: str, kind: str, origin: str) -> None:
    method, path, _, _ = REQUESTS[kind]
    response = await send(apps[setting], preflight(method, path, origin))
    assert "access-control-allow-credentials" not in response.headers
    if allowed(setting, kind, origin):
        assert response.status_code == 204
        assert response.headers["access-control-allow-origin"] == origin
        assert method in response.headers["access-control-allow-methods"].split(", ")
        headers = response.headers["access-control-allow-headers"].lower().split(", ")
        assert {"authorization", "content-type"} <= set(headers)
        assert int(response.headers["access-control-max-age"]) > 0
        assert "origin" in vary(response)
        return
    assert "access-control-allow-origin" not in response.headers
    if kind == "gatehouse":
        assert response.status_code == 405  # no CORS at all: the router has no OPTIONS route
    else:
        assert response.status_code == 403
        assert response.json()["Errors"][0]["ErrorCode"] == "Auth.OriginNotAllowed"


@pytest.mark.parametrize("origin", [LISTED, UNLISTED])
@pytest.mark.parametrize("kind", list(REQUESTS))
@pytest.mark.parametrize("setting", list(SETTINGS))
async def test_actual_request(
    apps: dict[str, FastAPI], setting: str, kind: str, origin: str
) -> None:
    method, path, form, status = REQUESTS[kind]
    request = httpx.Request(method, BASE_URL + path, headers={"Origin": origin}, data=form)
    response = await send(apps[setting], request)
    assert "access-control-allow-credentials" not in response.headers
    assert ("origin" in vary(response)) is (kind != "gatehouse")
    if allowed(setting, kind, origin):
        # Served as usual, errors included, and readable by the page.
        assert response.status_code == status
        assert response.headers["access-control-allow-origin"] == origin
    elif kind == "gatehouse":
        # Served (a simple GET needs no preflight) but not readable from another origin.
        assert response.status_code == status
        assert "access-control-allow-origin" not in response.headers
    else:
        # Refused before the endpoint: no token issued, nothing written.
        assert response.status_code == 403
        assert response.json()["Errors"][0]["ErrorCode"] == "Auth.OriginNotAllowed"
        assert "access-control-allow-origin" not in response.headers


@pytest.mark.parametrize("setting", list(SETTINGS))
async def test_requests_without_origin_get_no_cors_header(
    apps: dict[str, FastAPI], setting: str
) -> None:
    response = await send(apps[setting], httpx.Request("GET", BASE_URL + "/.well-known/jwks.json"))
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers
    # Responses differ by origin, so shared caches must key on it.
    assert "origin" in vary(response)


async def test_case_insensitive_paths_and_errors_from_the_front_door(
    apps: dict[str, FastAPI],
) -> None:
    app = apps[DEFAULT]
    mixed = await send(app, preflight("GET", "/V1/Me", LISTED))
    assert mixed.status_code == 204
    big = "x" * 2_000_000
    too_large = await send(
        app,
        httpx.Request(
            "POST", BASE_URL + "/oauth/token", headers={"Origin": LISTED}, content=big.encode()
        ),
    )
    assert too_large.status_code == 413
    assert too_large.headers["access-control-allow-origin"] == LISTED


def test_a_malformed_setting_is_refused_at_startup() -> None:
    with pytest.raises(ValueError, match="GATEHOUSE_CORS_ORIGINS"):
        Settings(cors_origins="https://shop.example/path")
    with pytest.raises(ValueError, match="GATEHOUSE_CORS_ORIGINS"):
        Settings(cors_origins="* https://shop.example")


async def test_a_refused_token_request_issues_nothing(
    apps: dict[str, FastAPI], marketplace: Marketplace
) -> None:
    """A form POST needs no preflight: on a narrowed deployment the server itself refuses
    it, so no token is issued or audited for an origin that could not read it anyway."""
    form = {
        "grant_type": "password",
        "client_id": marketplace.client_id,
        "username": marketplace.credentials.username,
        "password": ADMIN_PASSWORD,
    }
    narrowed = apps["list"]
    audit: TokenAuditLog = narrowed.state.runtime.audit
    before = audit.pending
    refused = await send(
        narrowed,
        httpx.Request("POST", BASE_URL + "/oauth/token", headers={"Origin": UNLISTED}, data=form),
    )
    assert refused.status_code == 403
    assert "access_token" not in refused.text
    assert audit.pending == before, "no token attempt at all"
    listed = await send(
        narrowed,
        httpx.Request("POST", BASE_URL + "/oauth/token", headers={"Origin": LISTED}, data=form),
    )
    assert listed.status_code == 200
    assert audit.pending == before + 1
