"""``Cache-Control: no-store`` on every response unless a route chose its own caching.

Tokens (``/oauth/token``, ``PUT /v1/me/register``, impersonation) and secrets (named secret
creation and rotation, the legacy ``ClientSecret`` on GET) must never land in a browser's or a
proxy's cache (RFC 6749 §5.1, RFC 9111 §5.2.2.5). Marking those routes one by one would miss
the next one added, so the default is the other way round: every answer is ``no-store`` (with
``Pragma: no-cache`` for HTTP/1.0 caches), and only the public key documents, which carry no
credential and are meant to be cached by verifiers, set their own ``Cache-Control``.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CACHEABLE_PATHS = frozenset(
    {
        "/oauth/certs/{kid}",
        "/gatehouse/console",
        "/gatehouse/console/",
        "/gatehouse/console/{asset:path}",
        "/gatehouse/docs",
        "/gatehouse/docs/{asset}",
    }
)
"""Route templates whose answers set their own ``Cache-Control``: public keys, and the
console's and Swagger UI's static files (``no-cache`` with an ETag: they carry no credentials;
the console's API answers stay no-store)."""
_NO_STORE = [(b"cache-control", b"no-store"), (b"pragma", b"no-cache")]


class NoStoreByDefault:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_no_store(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": _with_no_store(message.get("headers", []))}
            await send(message)

        await self.app(scope, receive, send_no_store)


def _with_no_store(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    names = {name.lower() for name, _ in headers}
    if b"cache-control" in names:
        return list(headers)
    return [*(h for h in headers if h[0].lower() != b"pragma"), *_NO_STORE]
