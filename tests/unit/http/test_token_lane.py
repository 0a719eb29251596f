"""``TokenLane`` on its own: which requests it takes, what it puts in the scope, and how it
finds an exception's handler (as Starlette's ``ExceptionMiddleware`` does)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.types import ExceptionHandler, Message, Receive, Scope, Send

from gatehouse.http.access_log import ROUTE_KEY
from gatehouse.http.token_lane import TokenLane

pytestmark = pytest.mark.asyncio


class Inner:
    """The rest of the stack: records what reached it."""

    def __init__(self) -> None:
        self.scopes: list[Scope] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.scopes.append(scope)


class ParentError(Exception):
    pass


class ChildError(ParentError):
    pass


class Sent:
    def __init__(self, fail_on: str | None = None) -> None:
        self.messages: list[Message] = []
        self.fail_on = fail_on

    async def __call__(self, message: Message) -> None:
        if message["type"] == self.fail_on:
            raise ChildError("the connection went away")
        self.messages.append(message)

    @property
    def status(self) -> int:
        return int(self.messages[0]["status"])

    @property
    def body(self) -> bytes:
        return bytes(self.messages[1]["body"])


async def receive() -> Message:
    return {"type": "http.request", "body": b"a=b", "more_body": False}


def http_scope(method: str = "POST", path: str = "/oauth/token", query: bytes = b"") -> Scope:
    return {
        "type": "http",
        "method": method,
        "path": path,
        "query_string": query,
        "headers": [],
        "state": {},
    }


def lane_with(
    endpoint: Any, handlers: dict[Any, ExceptionHandler] | None = None
) -> tuple[TokenLane, Inner]:
    inner = Inner()
    route = APIRoute("/oauth/token", endpoint, methods=["POST"])
    return TokenLane(inner, route=route, exception_handlers=handlers or {}), inner


async def ok(request: Request) -> Response:
    return JSONResponse({"body": (await request.body()).decode()})


def raising(exc: Exception) -> Any:
    async def endpoint(_request: Request) -> Response:
        raise exc

    return endpoint


def answering(text: str, status: int = 418) -> ExceptionHandler:
    async def handler(_request: Request, exc: Exception) -> Response:
        return PlainTextResponse(f"{text}: {exc}", status)

    return handler


@pytest.mark.parametrize(
    "scope",
    [
        http_scope("GET"),
        http_scope("OPTIONS"),
        http_scope(path="/OAuth/Token"),
        http_scope(path="/oauth/token/"),
        http_scope(path="/oauth/tokens"),
        http_scope(query=b"a=%00"),
        http_scope(query=b"a=\x00"),
        {"type": "websocket", "path": "/oauth/token"},
        {"type": "lifespan"},
    ],
)
async def test_everything_else_goes_down_the_normal_stack(scope: Scope) -> None:
    lane, inner = lane_with(raising(AssertionError("the endpoint must not run")))
    sent = Sent()
    await lane(scope, receive, sent)
    assert inner.scopes == [scope]
    assert sent.messages == []


async def test_the_token_request_is_served_by_the_endpoint() -> None:
    lane, inner = lane_with(ok)
    scope = http_scope(query=b"a=b")
    sent = Sent()
    await lane(scope, receive, sent)
    assert inner.scopes == []
    assert (sent.status, sent.body) == (200, b'{"body":"a=b"}')
    # What RouteCapture hands the access log, and what routing would have set.
    assert scope["state"][ROUTE_KEY] == "/oauth/token"
    assert scope["route"] is lane.route
    assert scope["endpoint"] is ok
    assert scope["path_params"] == {}


async def test_handlers_are_found_through_the_class_hierarchy() -> None:
    handlers = {ParentError: answering("parent"), Exception: answering("catch-all", 500)}
    lane, _ = lane_with(raising(ChildError("boom")), handlers)
    sent = Sent()
    await lane(http_scope(), receive, sent)
    assert (sent.status, sent.body) == (418, b"parent: boom")


async def test_an_http_exception_is_handled_by_its_status_first() -> None:
    handlers = {HTTPException: answering("by class"), 404: answering("by status", 404)}
    lane, _ = lane_with(raising(HTTPException(404)), handlers)
    sent = Sent()
    await lane(http_scope(), receive, sent)
    assert (sent.status, sent.body) == (404, b"by status: 404: Not Found")
    lane, _ = lane_with(raising(HTTPException(405)), handlers)
    sent = Sent()
    await lane(http_scope(), receive, sent)
    assert (sent.status, sent.body) == (418, b"by class: 405: Method Not Allowed")


async def test_a_synchronous_handler_runs_too() -> None:
    def handler(_request: Request, exc: Exception) -> Response:
        return PlainTextResponse(f"sync: {exc}", 409)

    lane, _ = lane_with(raising(ChildError("x")), {ChildError: handler})
    sent = Sent()
    await lane(http_scope(), receive, sent)
    assert (sent.status, sent.body) == (409, b"sync: x")


async def test_an_exception_no_handler_takes_propagates() -> None:
    """``Exception`` and ``500`` belong to ServerErrorMiddleware, outside: not the lane's."""
    handlers = {Exception: answering("catch-all"), 500: answering("500"), KeyError: answering("k")}
    lane, _ = lane_with(raising(ChildError("unexpected")), handlers)
    sent = Sent()
    with pytest.raises(ChildError, match="unexpected"):
        await lane(http_scope(), receive, sent)
    assert sent.messages == []


async def test_an_exception_once_the_response_started_is_not_handled_again() -> None:
    lane, _ = lane_with(ok, {ParentError: answering("parent")})
    with pytest.raises(RuntimeError, match="response already started") as raised:
        await lane(http_scope(), receive, Sent(fail_on="http.response.body"))
    assert isinstance(raised.value.__cause__, ChildError)
    lane, _ = lane_with(ok, {KeyError: answering("k")})
    with pytest.raises(ChildError):
        await lane(http_scope(), receive, Sent(fail_on="http.response.start"))
