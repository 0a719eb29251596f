"""``TokenLane``: ``POST /oauth/token`` served straight from the middleware stack (issue 12).

A client_credentials grant costs about 680 µs of server CPU per request on one worker, 260 µs
of it the RSA-2048 signature. Between the outer middleware and the endpoint sit layers that do
nothing for this one route: our inner middleware (``CaseInsensitivePaths``, ``RequestMetrics``,
``RouteCapture``) and FastAPI's and Starlette's (``ExceptionMiddleware``,
``AsyncExitStackMiddleware``, the router's matching and the included router's dispatch,
``APIRoute.handle``, ``request_response`` with its two exit stacks, a second ``Request`` and
its exception wrapper). Skipping them saves about 28 µs per token request in process (72 → 43
µs with the grant itself faked); ``bench/cpu_per_request.py``, noisier, gave median 682 → 634
µs over twenty alternating runs. Every other request pays 0.2 µs for the path check.
``bench/README.md`` "Token lane" has the numbers.

The lane sits directly inside ``JsonDepthLimit``, so every layer outside it (``AccessLog``,
proxy headers, ``NoStoreByDefault``, ``Cors``, ``BodySizeLimit``, ``JsonDepthLimit`` and
Starlette's ``ServerErrorMiddleware``) still wraps the token endpoint unchanged. Inside
``JsonDepthLimit`` rather than outside it: that layer refuses a JSON body nested too deep
with ``ValidationFailure``, which the endpoint alone would answer ``Request.InvalidContentType``
(its cost for a form body is one header scan). A request the lane takes gets what the skipped
layers gave it:

- ``CaseInsensitivePaths``: only the exact path is taken (already canonical); a NUL in the
  query string goes down the normal stack, which refuses it.
- ``RouteCapture``: the route template is put where ``AccessLog`` reads it.
- ``RequestMetrics``: nothing; it never counted the token route (``Metrics.observe_token``
  inside the endpoint does).
- The router: ``scope`` gets the ``route``, ``endpoint`` and ``path_params`` routing would set.
- ``ExceptionMiddleware`` and the route's own exception wrapper: an exception is answered by
  the app's exception handlers found as Starlette finds them (an ``HTTPException``'s status
  first, then the exception's class hierarchy); one no handler takes propagates to
  ``ServerErrorMiddleware``, which makes the 500 as before.
- FastAPI's exit stacks, form limits and dependency overrides: the route is a ``PlainRoute``
  (the endpoint takes the ``Request`` and reads the body itself), so none of them applies.
- FastAPI's native telemetry names the span's ``http.route`` when routing selects a route: a
  deployment that configures an OpenTelemetry provider (Gatehouse configures none) would see
  token spans without it.

Everything else (other paths or methods, another case of the path, preflights, websockets,
lifespan) goes down the normal stack untouched.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping
from typing import Any

from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, ExceptionHandler, Receive, Scope, Send

from gatehouse.http.access_log import ROUTE_KEY
from gatehouse.http.direct import is_async
from gatehouse.http.middleware import has_nul

Endpoint = Callable[[Request], Coroutine[Any, Any, Response]]


class TokenLane:
    """Serve ``POST`` on ``route``'s exact path by calling its endpoint (module docstring).

    ``exception_handlers`` is the app's mapping (``FastAPI.exception_handlers``), read when
    the middleware stack is built, as Starlette reads it for its ``ExceptionMiddleware``; the
    ``Exception`` and ``500`` entries belong to ``ServerErrorMiddleware`` and are left to it.
    """

    def __init__(
        self, app: ASGIApp, route: APIRoute, exception_handlers: Mapping[Any, ExceptionHandler]
    ) -> None:
        self.app = app
        self.route = route
        self.path = route.path
        self.endpoint: Endpoint = route.endpoint
        self._by_class: dict[type[BaseException], ExceptionHandler] = {}
        self._by_status: dict[int, ExceptionHandler] = {}
        for key, handler in exception_handlers.items():
            if key in (500, Exception):
                continue
            if isinstance(key, int):
                self._by_status[key] = handler
            else:
                self._by_class[key] = handler

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["path"] != self.path
            or scope["method"] != "POST"
            or has_nul(scope)
        ):
            await self.app(scope, receive, send)
            return
        scope["route"] = self.route
        scope["endpoint"] = self.endpoint
        scope["path_params"] = {}
        scope.setdefault("state", {})[ROUTE_KEY] = self.path
        request = Request(scope, receive, send)
        try:
            response = await self.endpoint(request)
        except Exception as exc:
            handler = self._handler(exc)
            if handler is None:
                raise
            await _answer(handler, request, exc, scope, receive, send)
            return
        try:
            await response(scope, receive, send)
        except Exception as exc:
            # A ``Response`` sends its start first, so it had started: as in Starlette's
            # wrapper, a handler may not answer now.
            if self._handler(exc) is not None:
                raise RuntimeError(
                    "Caught handled exception, but response already started."
                ) from exc
            raise

    def _handler(self, exc: Exception) -> ExceptionHandler | None:
        """As ``starlette._exception_handler.wrap_app_handling_exceptions`` looks it up."""
        if isinstance(exc, HTTPException):
            handler = self._by_status.get(exc.status_code)
            if handler is not None:
                return handler
        for cls in type(exc).__mro__:
            handler = self._by_class.get(cls)
            if handler is not None:
                return handler
        return None


async def _answer(
    handler: ExceptionHandler,
    request: Request,
    exc: Exception,
    scope: Scope,
    receive: Receive,
    send: Send,
) -> None:
    """Send ``handler``'s response to ``exc``, as Starlette's wrapper does."""
    if is_async(handler):
        response = await handler(request, exc)  # type: ignore[arg-type, misc]
    else:
        response = await run_in_threadpool(handler, request, exc)  # type: ignore[arg-type]
    if response is not None:
        await response(scope, receive, send)
    # Reused exception instances would accumulate tracebacks across requests.
    exc.__traceback__ = None
