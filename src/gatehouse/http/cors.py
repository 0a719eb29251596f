"""CORS for what browser apps call (decisions.md "Browsers (CORS)"), as one pure ASGI
middleware: the token endpoint is a hot path, so this is a few header comparisons and no
query.

- ``/oauth/token``, ``/v1/*``, ``/oauth/certs/*`` and ``/.well-known/*``: preflights from an
  origin the deployment allows (``GATEHOUSE_CORS_ORIGINS``) get 204 with the request's origin,
  the allowed methods and headers, a max age and ``Vary: Origin``. Every actual response,
  errors included, carries ``Access-Control-Allow-Origin`` for an allowed origin. Never
  ``Access-Control-Allow-Credentials``: tokens travel in headers, never in cookies.
- A cross-origin request from an origin the deployment does not allow, preflight or not, gets
  403 ``Auth.OriginNotAllowed`` without CORS headers and never reaches the endpoint: a form
  POST to ``/oauth/token`` needs no preflight, so merely withholding the headers would still
  issue (and audit) a token nobody can read.
- Every other path (``/gatehouse/*``, ``/metrics``) gets no CORS header: not readable from
  another origin.

It also marks each request made from another origin (``CROSS_ORIGIN`` in the ASGI scope), so
the token endpoint and token verification can apply the client's own allowed origins: a
preflight names no client, so those are enforced on the actual request (docs/behaviour.md).
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gatehouse.domain.origins import OriginNotAllowedError, OriginPolicy
from gatehouse.http.errors import error_body

CROSS_ORIGIN = "gatehouse.cross_origin"
"""Scope key: the request's ``Origin`` when it is a cross-origin browser request, else absent."""

MAX_AGE = "7200"  # Chromium caps a preflight cache at 2 hours
BASE_HEADERS = ("Authorization", "Content-Type", "Accept", "Accept-Language")
EXPOSED = b"Retry-After, WWW-Authenticate"
_TOKEN_LIST = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]+(\s*,\s*[A-Za-z0-9!#$%&'*+.^_`|~-]+)*$")
_MAX_REQUESTED = 1000

_METHODS = {
    "token": b"POST, OPTIONS",
    "v1": b"GET, POST, PUT, PATCH, DELETE, OPTIONS",
    "keys": b"GET, HEAD, OPTIONS",
}


def endpoint_kind(path: str) -> str | None:
    """Which browser-facing endpoint a path is (``None``: not one). Routes match
    case-insensitively, so this does too."""
    lower = path.lower()
    if lower.startswith("/v1/"):
        return "v1"
    if lower in ("/oauth/token", "/oauth/token/"):
        return "token"
    if lower.startswith(("/oauth/certs/", "/.well-known/")):
        return "keys"
    return None


class Cors:
    def __init__(self, app: ASGIApp, policy: OriginPolicy, own_origin: str) -> None:
        self.app = app
        self.policy = policy
        parts = urlsplit(own_origin)
        self.own_origin = f"{parts.scheme}://{parts.netloc}".lower()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        origin, request_method, request_headers = _cors_headers(scope)
        cross = origin is not None and not self._same_origin(scope, origin)
        if cross:
            scope[CROSS_ORIGIN] = origin
        kind = endpoint_kind(scope["path"])
        if kind is None:
            await self.app(scope, receive, send)
            return
        if origin is not None and cross and not self.policy.allows(origin):
            await _refuse(send)  # preflight or not: it never reaches the endpoint
            return
        if scope["method"] == "OPTIONS" and origin is not None and request_method is not None:
            await self._preflight(send, kind, origin, request_headers)
            return
        allowed = origin is not None and self.policy.allows(origin)
        await self.app(scope, receive, _with_cors(send, origin if allowed else None))

    def _same_origin(self, scope: Scope, origin: str) -> bool:
        """A page served by Gatehouse itself (the admin console) is not cross-origin."""
        lowered = origin.lower()
        if lowered == self.own_origin:
            return True
        host = next((v for k, v in scope["headers"] if k == b"host"), None)
        if host is None:
            return False
        return lowered == f"{scope['scheme']}://{host.decode('latin-1')}".lower()

    async def _preflight(self, send: Send, kind: str, origin: str, requested: str | None) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 204,
                "headers": [
                    (b"access-control-allow-origin", origin.encode("latin-1")),
                    (b"access-control-allow-methods", _METHODS[kind]),
                    (b"access-control-allow-headers", _allowed_headers(requested)),
                    (b"access-control-max-age", MAX_AGE.encode()),
                    (b"vary", b"Origin, Access-Control-Request-Headers"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": b""})


async def _refuse(send: Send) -> None:
    """403 ``Auth.OriginNotAllowed`` without CORS headers: the page cannot read it, and the
    request had no effect (no token issued, nothing written)."""
    refusal = OriginNotAllowedError(message="This origin may not call this server from a browser.")
    body = json.dumps(error_body(refusal.code, refusal.message)).encode()
    headers = [(b"content-type", b"application/json"), (b"vary", b"Origin")]
    await send({"type": "http.response.start", "status": 403, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _cors_headers(scope: Scope) -> tuple[str | None, str | None, str | None]:
    origin = method = headers = None
    for key, value in scope["headers"]:
        if key == b"origin":
            origin = value.decode("latin-1")
        elif key == b"access-control-request-method":
            method = value.decode("latin-1")
        elif key == b"access-control-request-headers":
            headers = value.decode("latin-1")
    return origin, method, headers


def _allowed_headers(requested: str | None) -> bytes:
    """The base headers plus whatever well-formed header names the page asks for (no
    credentials are ever allowed, so extra request headers grant nothing)."""
    names = list(BASE_HEADERS)
    if requested and len(requested) <= _MAX_REQUESTED and _TOKEN_LIST.match(requested.strip()):
        known = {name.lower() for name in names}
        for name in (n.strip() for n in requested.split(",")):
            if name.lower() not in known:
                known.add(name.lower())
                names.append(name)
    return ", ".join(names).encode("latin-1")


def _with_cors(send: Send, origin: str | None) -> Send:
    """``send`` adding ``Vary: Origin`` (responses differ by origin, so caches must key on it)
    and, for an allowed origin, ``Access-Control-Allow-Origin``."""

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            # ASGI header names are lowercase.
            headers = list(message.get("headers", ()))
            varies = [v for k, v in headers if k == b"vary"]
            if varies:
                headers = [(k, v) for k, v in headers if k != b"vary"]
            headers.append((b"vary", b", ".join([*varies, b"Origin"])))
            if origin is not None:
                headers.append((b"access-control-allow-origin", origin.encode("latin-1")))
                headers.append((b"access-control-expose-headers", EXPOSED))
            message = {**message, "headers": headers}
        await send(message)

    return wrapped
