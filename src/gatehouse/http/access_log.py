"""One log line per request, and its request id echoed in ``X-Request-Id``.

Raw ASGI (no ``BaseHTTPMiddleware``): on the hot path it costs a clock read, a dict or two and
one log call. ``AccessLog`` sits outermost, so 413s and other refusals made by the middleware
are logged too; ``RouteCapture`` sits innermost, where the router has set ``scope["route"]``,
and hands the route template out through the request's shared ``state`` dict.

What a line holds: the request id, method, route *template* (``/v1/buyers/{buyerID}``, never
the raw path or query string, which may carry IDs or search terms), status, duration, the
client ID (the token's ``cid``, or the token endpoint's resolved client), the grant type and
the client address (the peer, or what a trusted proxy forwarded: ``GATEHOUSE_TRUSTED_PROXIES``).
Never a header, body, token, secret or password.
"""

from __future__ import annotations

import logging
import re
import secrets
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gatehouse.http.metrics import CLIENT_STATE_KEY, UNMATCHED_ROUTE

log = logging.getLogger("gatehouse.access")
HEADER = b"x-request-id"
ROUTE_KEY = "gatehouse_route"
ATTEMPT_KEY = "token_attempt"
_SANE_ID = re.compile(rb"[A-Za-z0-9._:-]{1,128}")


def request_id(scope: Scope) -> str:
    """The caller's ``X-Request-Id`` when it is sane (1-128 of ``A-Za-z0-9._:-``), so a
    proxy's id follows the request; else a new random one. Anything else could forge log
    lines or bloat them."""
    for name, value in scope["headers"]:
        if name == HEADER:
            return value.decode() if _SANE_ID.fullmatch(value) else secrets.token_hex(16)
    return secrets.token_hex(16)


class AccessLog:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        rid = request_id(scope)
        header = (HEADER, rid.encode())
        state: dict[str, Any] = scope.setdefault("state", {})
        state["request_id"] = rid
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message = {**message, "headers": [*message.get("headers", ()), header]}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            if log.isEnabledFor(logging.INFO):
                _log(scope, state, rid, status, time.perf_counter() - started)


def _log(scope: Scope, state: dict[str, Any], rid: str, status: int, seconds: float) -> None:
    route = state.get(ROUTE_KEY) or UNMATCHED_ROUTE
    client = state.get(CLIENT_STATE_KEY)
    client_id = client[1] if isinstance(client, tuple) else None
    attempt = state.get(ATTEMPT_KEY)
    grant_type = None
    if attempt is not None:
        client_id = attempt.client_id
        grant_type = attempt.grant_type or None
    peer = scope.get("client")
    fields = {
        "request_id": rid,
        "method": scope["method"],
        "route": route,
        "status": status,
        "duration_ms": round(seconds * 1000, 2),
        "client_id": client_id,
        "grant_type": grant_type,
        "client_addr": peer[0] if peer else None,
    }
    log.info(
        "%s %s %s %.1fms client=%s addr=%s id=%s",
        scope["method"],
        route,
        status,
        seconds * 1000,
        client_id or "-",
        fields["client_addr"] or "-",
        rid,
        extra=fields,
    )


class RouteCapture:
    """Innermost: copy the matched route's template into the shared ``state``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        finally:
            if scope["type"] == "http":
                route = getattr(scope.get("route"), "path", None)
                if route is not None:
                    scope.setdefault("state", {})[ROUTE_KEY] = route
