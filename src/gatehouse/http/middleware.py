"""Pure ASGI middleware: case-insensitive routes and a request body cap.

Both are raw ASGI (not ``BaseHTTPMiddleware``) to stay off the hot path's overhead.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gatehouse.domain.errors import PayloadTooLargeError
from gatehouse.http.errors import error_body

_PARAM = object()


class CaseInsensitivePaths:
    """Rewrite each literal path segment to its canonical case before routing.

    The SDKs call ``/buyers/{id}/ApiClients/Assignments/{cid}`` and ``/me/spendingAccounts``;
    OrderCloud routes match case-insensitively. IDs inside the path keep their case: a trie of
    the route templates tells literal segments from parameters, preferring a literal match.
    """

    def __init__(self, app: ASGIApp, templates: Iterable[str]) -> None:
        self.app = app
        self._trie: dict[object, Any] = {}
        for template in templates:
            node = self._trie
            for segment in template.strip("/").split("/"):
                key: object = _PARAM if segment.startswith("{") else segment.lower()
                node = node.setdefault(key, {})
                if key is not _PARAM:
                    node.setdefault("__name__", segment)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and has_nul(scope):
            await _send_error(
                send, 400, "Request.InvalidCharacters", "The URL may not contain NUL characters."
            )
            return
        if scope["type"] == "http":
            path = self._canonical(scope["path"])
            if path is not None and path != scope["path"]:
                scope = dict(scope, path=path, raw_path=path.encode())
        await self.app(scope, receive, send)

    def _canonical(self, path: str) -> str | None:
        segments = path.strip("/").split("/")
        out: list[str] = []
        node: dict[object, Any] = self._trie
        for segment in segments:
            literal = node.get(segment.lower())
            if isinstance(literal, dict):
                out.append(str(literal["__name__"]))
                node = literal
            elif isinstance(node.get(_PARAM), dict):
                out.append(segment)
                node = node[_PARAM]
            else:
                return None
        return "/" + "/".join(out) + ("/" if path.endswith("/") and len(path) > 1 else "")


class BodySizeLimit:
    """Refuse bodies over ``limit`` bytes with 413 and the OrderCloud error body, whether the
    client declared a Content-Length or streams chunks."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared, chunked = _body_headers(scope)
        if declared is None and not chunked:
            # No Content-Length and no Transfer-Encoding: HTTP/1.1 says there is no body, so
            # there is nothing to count (most GETs): no wrappers on the hot path.
            await self.app(scope, receive, send)
            return
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await _reject(send, self.limit)
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise _TooLargeError
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLargeError:
            if not started:
                await _reject(send, self.limit)


def _body_headers(scope: Scope) -> tuple[bytes | None, bool]:
    """``Content-Length`` (the last one, as ``dict(headers)`` would take it) and whether a
    ``Transfer-Encoding`` was sent."""
    declared: bytes | None = None
    chunked = False
    for name, value in scope["headers"]:
        if name == b"content-length":
            declared = value
        elif name == b"transfer-encoding":
            chunked = True
    return declared, chunked


class _TooLargeError(PayloadTooLargeError):
    """Raised while the app reads the body; the error handlers turn it into a 413 too."""


def has_nul(scope: Scope) -> bool:
    """NUL cannot reach PostgreSQL text columns, so it never passes the front door."""
    query: bytes = scope.get("query_string", b"")
    return "\x00" in scope["path"] or b"%00" in query or b"\x00" in query


async def _reject(send: Send, limit: int) -> None:
    await _send_error(send, 413, "Request.TooLarge", f"Request body may not exceed {limit} bytes.")


async def _send_error(send: Send, status: int, code: str, message: str) -> None:
    body = json.dumps(error_body(code, message)).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"connection", b"close")],
        }
    )
    await send({"type": "http.response.body", "body": body})
