"""The CORS middleware on a stub app: what it adds, what it marks, what it leaves alone."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.types import Message, Receive, Scope, Send

from gatehouse.domain.origins import OriginPolicy
from gatehouse.http.cors import CROSS_ORIGIN, Cors, endpoint_kind

SHOP = "https://shop.example"


class Stub:
    """Answers 200 with a ``Vary`` of its own and remembers the scope it saw."""

    def __init__(self) -> None:
        self.scope: Scope | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.scope = scope
        headers = [(b"content-type", b"text/plain"), (b"vary", b"Accept-Encoding")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"ok"})


async def call(
    middleware: Cors, path: str, headers: dict[str, str], method: str = "GET"
) -> tuple[int, dict[str, str]]:
    scope: dict[str, Any] = {
        "type": "http",
        "method": method,
        "path": path,
        "scheme": "http",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
    }
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b""}

    async def send(message: Message) -> None:
        sent.append(message)

    await middleware(scope, receive, send)
    start = sent[0]
    return start["status"], {k.decode(): v.decode() for k, v in start["headers"]}


def cors(setting: str = "*") -> tuple[Cors, Stub]:
    stub = Stub()
    return Cors(stub, OriginPolicy.parse(setting), "https://auth.example/base"), stub


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/oauth/token", "token"),
        ("/OAuth/Token", "token"),
        ("/v1/me", "v1"),
        ("/V1/buyers/x/users", "v1"),
        ("/oauth/certs/abc", "keys"),
        ("/.well-known/jwks.json", "keys"),
        ("/gatehouse/health", None),
        ("/metrics", None),
        ("/v1", None),
        ("/oauth/tokens", None),
    ],
)
def test_endpoint_kinds(path: str, kind: str | None) -> None:
    assert endpoint_kind(path) == kind


async def test_vary_is_merged_and_credentials_never_allowed() -> None:
    middleware, _ = cors()
    status, headers = await call(middleware, "/v1/me", {"Origin": SHOP})
    assert status == 200
    assert headers["vary"] == "Accept-Encoding, Origin"
    assert headers["access-control-allow-origin"] == SHOP
    assert "Retry-After" in headers["access-control-expose-headers"]
    assert "access-control-allow-credentials" not in headers


async def test_cross_origin_requests_are_marked_for_the_client_checks() -> None:
    middleware, stub = cors()
    await call(middleware, "/v1/me", {"Origin": SHOP})
    assert stub.scope is not None and stub.scope[CROSS_ORIGIN] == SHOP
    await call(middleware, "/v1/me", {})
    assert CROSS_ORIGIN not in stub.scope


async def test_origins_the_deployment_does_not_allow_never_reach_the_endpoints() -> None:
    off, stub = cors("")
    status, headers = await call(off, "/v1/me", {"Origin": SHOP})
    assert status == 403 and stub.scope is None
    assert "access-control-allow-origin" not in headers
    status, _ = await call(off, "/oauth/token", {"Origin": SHOP}, method="POST")
    assert status == 403 and stub.scope is None
    # /gatehouse is not a browser endpoint: served, unreadable, still marked for the checks.
    status, headers = await call(off, "/gatehouse/apiclients", {"Origin": SHOP})
    assert status == 200 and "access-control-allow-origin" not in headers
    assert stub.scope is not None and stub.scope[CROSS_ORIGIN] == SHOP


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://auth.example"},  # GATEHOUSE_BASE_URL's origin
        {"Origin": "http://gatehouse.local:8080", "Host": "gatehouse.local:8080"},  # own Host
        {"Origin": "http://gatehouse.local", "Host": "Gatehouse.Local"},
    ],
)
async def test_the_servers_own_pages_are_not_cross_origin(headers: dict[str, str]) -> None:
    middleware, stub = cors()
    await call(middleware, "/oauth/token", headers, method="POST")
    assert stub.scope is not None and CROSS_ORIGIN not in stub.scope


async def test_requested_headers_are_allowed_when_well_formed() -> None:
    middleware, _ = cors()
    asked = {"Origin": SHOP, "Access-Control-Request-Method": "PATCH"}
    _, plain = await call(
        middleware, "/v1/me", {**asked, "Access-Control-Request-Headers": "x-trace-id"}, "OPTIONS"
    )
    assert plain["access-control-allow-headers"].endswith(", x-trace-id")
    assert plain["access-control-allow-methods"].startswith("GET, POST, PUT, PATCH, DELETE")
    _, odd = await call(
        middleware, "/v1/me", {**asked, "Access-Control-Request-Headers": "bad header("}, "OPTIONS"
    )
    assert (
        odd["access-control-allow-headers"]
        == "Authorization, Content-Type, Accept, Accept-Language"
    )


async def test_options_without_a_requested_method_is_not_a_preflight() -> None:
    middleware, stub = cors()
    status, headers = await call(middleware, "/v1/me", {"Origin": SHOP}, "OPTIONS")
    assert status == 200 and stub.scope is not None  # reached the app
    assert headers["access-control-allow-origin"] == SHOP


async def test_non_http_scopes_pass_through() -> None:
    middleware, stub = cors()
    seen: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(scope["type"])

    middleware.app = app
    await middleware({"type": "lifespan"}, stub, stub)  # type: ignore[arg-type]
    assert seen == ["lifespan"]
