"""Issue 12: ``POST /oauth/token`` served by ``TokenLane`` answers exactly as through the whole
stack. Each request goes to the app as built and to the same app without the lane, on the
session's database: same status, headers (in order) and error body, the same access log line
and the same ``/metrics`` counts; and the lane is really taken (the router never sees the
request), while ``/OAuth/Token`` still takes the normal path."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI

from gatehouse.app import create_app
from gatehouse.http.token_lane import TokenLane
from gatehouse.runtime import Runtime
from gatehouse.settings import Settings
from tests.conftest import backend
from tests.factories.client_credentials import (
    SECRET,
    basic,
    client_credentials,
    dcu_shop,
    new_client,
)
from tests.factories.clock import AdjustableClock
from tests.factories.marketplaces import BASE_URL, Marketplace
from tests.factories.metrics import scrape
from tests.support.server import free_port

pytestmark = pytest.mark.asyncio
LIMIT = 4096
ORIGIN = "https://shop.example"
FORM_TYPE = "application/x-www-form-urlencoded"
FORM = {"Content-Type": FORM_TYPE}
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def without_lane(app: FastAPI) -> FastAPI:
    """``app`` as it was before the lane: the same middleware less ``TokenLane``."""
    lane: object = TokenLane
    kept = [m for m in app.user_middleware if m.cls is not lane]
    assert len(kept) == len(app.user_middleware) - 1
    app.user_middleware = kept
    return app


@asynccontextmanager
async def lane_and_plain(settings: Settings, clock: AdjustableClock) -> AsyncIterator[Apps]:
    async with AsyncExitStack() as stack:
        lane = create_app(settings, clock=clock)
        plain = without_lane(create_app(settings, clock=clock))
        for app in (lane, plain):
            await stack.enter_async_context(app.router.lifespan_context(app))
        yield Apps(lane, plain)


@dataclass(frozen=True)
class Apps:
    lane: FastAPI
    plain: FastAPI


@pytest_asyncio.fixture(scope="module")
async def apps(settings: Settings, clock: AdjustableClock) -> AsyncIterator[Apps]:
    """Both apps on the session's database, with a small body cap; every origin allowed."""
    async with lane_and_plain(settings.model_copy(update={"max_body_bytes": LIMIT}), clock) as a:
        yield a


@pytest.fixture
def access(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO, logger="gatehouse.access")
    return caplog


@pytest.fixture
async def cid(client: httpx.AsyncClient, runtime: Runtime, marketplace: Marketplace) -> str:
    """A secret-holding client whose default context user can get a token."""
    return await new_client(client, await dcu_shop(client, runtime, marketplace))


@dataclass(frozen=True)
class Outcome:
    response: httpx.Response
    log: dict[str, Any]
    metrics: dict[tuple[str, frozenset[tuple[str, str]]], float]

    def comparable(self, *, token_body: bool = False) -> tuple[Any, ...]:
        """Status, headers in order and body; a new request id and token are never equal."""
        drop = {"x-request-id", *(("content-length",) if token_body else ())}
        headers = [(k, v) for k, v in self.response.headers.multi_items() if k not in drop]
        body: Any = self.response.content
        if token_body:
            issued = self.response.json()
            body = (sorted(issued), issued["token_type"], issued["expires_in"])
        return self.response.status_code, headers, body, self.log, self.metrics


async def outcome(
    app: FastAPI, access: pytest.LogCaptureFixture, request: Callable[[], httpx.Request]
) -> Outcome:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
        before = await scrape(http)
        access.clear()
        response = await http.send(request())
        [record] = [r for r in access.records if r.name == "gatehouse.access"]
        after = await scrape(http)
    fields = ("method", "route", "status", "client_id", "grant_type", "client_addr")
    log = {name: getattr(record, name) for name in fields}
    assert log["method"] == "POST"
    return Outcome(response, log, _token_and_api_deltas(before, after))


def _token_and_api_deltas(before: Samples, after: Samples) -> Samples:
    """What the request changed in the token and API counters (a scrape counts itself, the
    same in both apps)."""
    families = ("gatehouse_token_request", "gatehouse_api_request")
    return {
        key: value - before.get(key, 0.0)
        for key, value in after.items()
        if key[0].startswith(families)
        and key[0].endswith(("_total", "_count"))
        and value != before.get(key, 0.0)
    }


async def same_answer(
    apps: Apps,
    access: pytest.LogCaptureFixture,
    request: Callable[[], httpx.Request],
    *,
    token_body: bool = False,
) -> Outcome:
    """The lane's outcome, once checked equal to the whole stack's."""
    lane = await outcome(apps.lane, access, request)
    plain = await outcome(apps.plain, access, request)
    assert lane.comparable(token_body=token_body) == plain.comparable(token_body=token_body)
    return lane


def token_request(
    form: dict[str, str] | None = None,
    *,
    content: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> Callable[[], httpx.Request]:
    def build() -> httpx.Request:
        if content is not None:
            return httpx.Request(
                "POST", f"{BASE_URL}/oauth/token", content=content, headers=headers
            )
        return httpx.Request("POST", f"{BASE_URL}/oauth/token", data=form, headers=headers)

    return build


def token_count(outcome: Outcome, client_id: str, grant: str, result: str) -> float:
    labels = frozenset({("client_id", client_id), ("grant_type", grant), ("outcome", result)})
    return outcome.metrics.get(("gatehouse_token_requests_total", labels), 0.0)


def assert_no_store(response: httpx.Response) -> None:
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["pragma"] == "no-cache"
    assert len(response.headers["x-request-id"]) == 32


async def test_an_issued_token(apps: Apps, access: pytest.LogCaptureFixture, cid: str) -> None:
    form = {"grant_type": "client_credentials", "client_id": cid, "client_secret": SECRET}
    lane = await same_answer(
        apps, access, token_request(form, headers={"Origin": ORIGIN}), token_body=True
    )
    assert lane.response.status_code == 200, lane.response.text
    assert_no_store(lane.response)
    assert lane.response.headers["access-control-allow-origin"] == ORIGIN
    assert lane.log == {
        "method": "POST",
        "route": "/oauth/token",
        "status": 200,
        "client_id": cid,
        "grant_type": "client_credentials",
        "client_addr": "127.0.0.1",
    }
    assert token_count(lane, cid, "client_credentials", "issued") == 1
    # Counted once, by the token metric: never as an API request.
    assert not any(("route", "/oauth/token") in labels for _, labels in lane.metrics)


async def test_a_json_body(apps: Apps, access: pytest.LogCaptureFixture) -> None:
    json_body = token_request(
        content=b'{"grant_type":"client_credentials"}', headers={"Origin": ORIGIN}
    )
    lane = await same_answer(apps, access, json_body)
    assert lane.response.status_code == 400
    assert lane.response.json()["Errors"][0]["ErrorCode"] == "Request.InvalidContentType"
    assert_no_store(lane.response)
    assert lane.response.headers["access-control-allow-origin"] == ORIGIN
    assert lane.log["route"] == "/oauth/token"
    assert token_count(lane, "unknown", "other", "Request.InvalidContentType") == 1


@pytest.mark.parametrize(
    ("path", "content_type", "content", "code"),
    [
        ("/oauth/token", "application/json", b'{"a":' * 200 + b"1" + b"}" * 200, "ValidationFailure"),
        ("/oauth/token?x=%00", FORM_TYPE, b"grant_type=client_credentials", "Request.InvalidCharacters"),
    ],
)  # fmt: skip
async def test_refusals_of_the_layers_around_the_lane(
    apps: Apps,
    access: pytest.LogCaptureFixture,
    path: str,
    content_type: str,
    content: bytes,
    code: str,
) -> None:
    """A body nested too deep is refused by JsonDepthLimit, outside the lane, and a NUL in
    the query string by CaseInsensitivePaths, to which the lane leaves it."""

    def request() -> httpx.Request:
        headers = {"Content-Type": content_type}
        return httpx.Request("POST", f"{BASE_URL}{path}", content=content, headers=headers)

    lane = await same_answer(apps, access, request)
    assert lane.response.status_code == 400
    assert lane.response.json()["Errors"][0]["ErrorCode"] == code
    assert lane.log["route"] == "unmatched"


async def test_an_invalid_client_by_basic_credentials(
    apps: Apps, access: pytest.LogCaptureFixture, cid: str
) -> None:
    refused = token_request({"grant_type": "client_credentials"}, headers=basic(cid, "wrong"))
    lane = await same_answer(apps, access, refused)
    assert lane.response.status_code == 401
    assert lane.response.json()["error"] == "invalid_client"
    assert lane.response.headers["www-authenticate"].startswith("Basic")
    assert_no_store(lane.response)
    assert (lane.log["client_id"], lane.log["grant_type"]) == (cid, "client_credentials")
    assert token_count(lane, cid, "client_credentials", "Auth.InvalidClientSecret") == 1


async def test_an_invalid_grant(
    apps: Apps, access: pytest.LogCaptureFixture, marketplace: Marketplace
) -> None:
    form = {
        "grant_type": "password",
        "client_id": marketplace.client_id,
        "username": marketplace.credentials.username,
        "password": "Wr0ng!pass",
    }
    lane = await same_answer(apps, access, token_request(form))
    assert lane.response.status_code == 400
    assert lane.response.json()["error"] == "invalid_grant"
    assert_no_store(lane.response)
    assert lane.log["grant_type"] == "password"


async def test_a_declared_body_over_the_cap(apps: Apps, access: pytest.LogCaptureFixture) -> None:
    """Refused by BodySizeLimit, outside the lane, before any route is known."""
    lane = await same_answer(
        apps, access, token_request(content=b"a=" + b"x" * LIMIT, headers=FORM)
    )
    assert lane.response.status_code == 413
    assert lane.response.json()["Errors"][0]["ErrorCode"] == "Request.TooLarge"
    assert lane.log["route"] == "unmatched"


async def test_a_streamed_body_over_the_cap(apps: Apps, access: pytest.LogCaptureFixture) -> None:
    """No Content-Length: the cap trips while the endpoint reads, and the app's handler
    answers (in the lane: its own lookup of the handlers)."""

    def streamed() -> httpx.Request:
        async def chunks() -> AsyncIterator[bytes]:
            for _ in range(3):
                yield b"x" * (LIMIT // 2)

        return httpx.Request("POST", f"{BASE_URL}/oauth/token", content=chunks(), headers=FORM)

    lane = await same_answer(apps, access, streamed)
    assert lane.response.status_code == 413
    assert lane.response.json()["Errors"][0]["ErrorCode"] == "Request.TooLarge"
    assert lane.log["route"] == "/oauth/token"
    assert token_count(lane, "unknown", "other", "Request.TooLarge") == 1


@pytest.fixture
def failing_grants(apps: Apps, monkeypatch: pytest.MonkeyPatch) -> None:
    async def fail(*_args: object) -> None:
        raise ZeroDivisionError("a bug")

    for app in (apps.lane, apps.plain):
        monkeypatch.setattr(app.state.token_endpoint, "handle", fail)


@pytest.mark.usefixtures("failing_grants")
async def test_an_unexpected_exception(
    apps: Apps, access: pytest.LogCaptureFixture, cid: str
) -> None:
    """No handler in the lane takes it: ServerErrorMiddleware, outside, makes the 500 (so no
    X-Request-Id, as before)."""
    form = {"grant_type": "client_credentials", "client_id": cid, "client_secret": SECRET}
    lane = await outcome(apps.lane, access, token_request(form))
    plain = await outcome(apps.plain, access, token_request(form))
    assert lane.response.status_code == 500
    assert lane.response.json() == {
        "Errors": [
            {"ErrorCode": "ServerError", "Message": "An unexpected error occurred.", "Data": None}
        ]
    }
    assert (lane.response.headers.multi_items(), lane.response.content, lane.log) == (
        plain.response.headers.multi_items(),
        plain.response.content,
        plain.log,
    )
    assert lane.log["route"] == "/oauth/token"
    assert token_count(lane, "unknown", "client_credentials", "ServerError") == 1  # unresolved
    assert lane.metrics == plain.metrics


@pytest_asyncio.fixture
async def apps_without_database(tmp_path: Path, clock: AdjustableClock) -> AsyncIterator[Apps]:
    """Both apps on a database that is not there: a SQLite directory that does not exist, or
    a PostgreSQL port where nothing listens (as tests/functional/test_database_outage.py)."""
    if backend() == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path}/missing/gatehouse.db"
    else:
        url = f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/none"
    async with lane_and_plain(Settings(database_url=url, base_url=BASE_URL), clock) as a:
        yield a


async def test_a_database_outage(
    apps_without_database: Apps, access: pytest.LogCaptureFixture
) -> None:
    form = {"grant_type": "client_credentials", "client_id": "x", "client_secret": "y"}
    lane = await same_answer(
        apps_without_database, access, token_request(form, headers={"Origin": ORIGIN})
    )
    assert lane.response.status_code == 503
    assert lane.response.headers["retry-after"] == "5"
    assert lane.response.json()["Errors"][0]["ErrorCode"] == "ServiceUnavailable"
    assert lane.response.headers["access-control-allow-origin"] == ORIGIN
    assert_no_store(lane.response)
    assert lane.log["route"] == "/oauth/token"


class RouterCalls:
    """Counts the requests that reach the app's router (the innermost layer)."""

    def __init__(self, app: FastAPI, monkeypatch: pytest.MonkeyPatch) -> None:
        self.paths: list[str] = []
        router_class = type(app.router)
        original = router_class.__call__

        async def spy(router: Any, scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] == "http":
                self.paths.append(scope["path"])
            await original(router, scope, receive, send)

        monkeypatch.setattr(router_class, "__call__", spy)


async def test_the_lane_is_taken_and_other_spellings_are_routed(
    apps: Apps, cid: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = RouterCalls(apps.lane, monkeypatch)
    transport = httpx.ASGITransport(app=apps.lane)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
        served = await client_credentials(http, cid)
        assert served.status_code == 200, served.text
        assert calls.paths == []  # not routed: served by the lane
        form = {"grant_type": "client_credentials", "client_id": cid, "client_secret": SECRET}
        routed = await http.post("/OAuth/Token", data=form)
        assert routed.status_code == 200, routed.text
        assert calls.paths == ["/oauth/token"]  # made canonical by CaseInsensitivePaths
        assert (await http.get("/oauth/token")).status_code == 405
        assert calls.paths == ["/oauth/token", "/oauth/token"]


async def test_without_the_lane_the_router_serves_the_token(
    apps: Apps, cid: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check above can see a routed token request."""
    calls = RouterCalls(apps.plain, monkeypatch)
    transport = httpx.ASGITransport(app=apps.plain)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
        assert (await client_credentials(http, cid)).status_code == 200
    assert calls.paths == ["/oauth/token"]
