"""``create_app(settings)``: builds the FastAPI app with its routers, error handlers,
middleware and a lifespan that loads the signing keys once per process."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from fastapi import FastAPI
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from gatehouse import __version__
from gatehouse.domain.clock import Clock
from gatehouse.http.access_log import AccessLog, RouteCapture
from gatehouse.http.cache_control import NoStoreByDefault
from gatehouse.http.cors import Cors
from gatehouse.http.errors import install_error_handlers
from gatehouse.http.json_limits import JsonDepthLimit
from gatehouse.http.metrics import Metrics, RequestMetrics
from gatehouse.http.middleware import BodySizeLimit, CaseInsensitivePaths
from gatehouse.http.openapi.document import install as install_openapi
from gatehouse.http.outage import install_outage_handlers
from gatehouse.http.routers import (
    admin_users,
    api_client_origins,
    api_client_secrets,
    api_clients,
    audit,
    companies,
    company_users,
    console,
    gatehouse_explain,
    gatehouse_review,
    health,
    impersonation,
    incidents,
    me,
    metrics,
    oauth,
    oauth_tokens,
    openid_connects,
    orders,
    rate_limits,
    security_profiles,
    sso,
    tokens,
    user_groups,
)
from gatehouse.http.token_lane import TokenLane
from gatehouse.oauth.grants.base import GrantContext
from gatehouse.oauth.grants.client_credentials import ClientCredentialsGrant
from gatehouse.oauth.grants.password import PasswordGrant
from gatehouse.oauth.grants.refresh_token import RefreshTokenGrant
from gatehouse.oauth.server import TokenEndpoint
from gatehouse.readiness import Readiness
from gatehouse.runtime import Runtime
from gatehouse.services.purge import purge_periodically
from gatehouse.services.usage import UsageFlusher
from gatehouse.settings import Settings
from gatehouse.sso.http_client import SsoHttp
from gatehouse.sso.wiring import build_flow
from gatehouse.storage.queries.token_store import SqlTokenStore

ROUTERS = (
    oauth.token_router,
    oauth.router,
    oauth_tokens.router,
    health.router,
    api_clients.router,
    api_client_secrets.router,
    api_client_origins.router,
    admin_users.router,
    security_profiles.router,
    companies.router,
    user_groups.router,
    company_users.router,
    me.router,
    tokens.router,
    incidents.router,
    impersonation.router,
    orders.router,
    audit.router,
    rate_limits.router,
    metrics.router,
    gatehouse_explain.router,
    gatehouse_review.router,
    console.router,
    openid_connects.router,
    sso.router,
)


def create_app(settings: Settings, *, clock: Clock | None = None) -> FastAPI:
    runtime = Runtime.from_settings(settings, clock)
    collected = Metrics(runtime.clock)
    flusher = UsageFlusher(
        runtime.db,
        runtime.clock,
        collected.usage,
        interval_seconds=settings.usage_flush_seconds,
        retention_days=settings.usage_retention_days,
    )
    readiness = Readiness(runtime)
    sso_flow, sso_http = build_flow(runtime)
    app = FastAPI(
        title="Gatehouse",
        version=__version__,
        lifespan=_lifespan(runtime, readiness, flusher, sso_http),
        docs_url=None,  # served offline with our own headers by routers/console.py
        openapi_url="/gatehouse/openapi.json",
        redoc_url=None,
    )
    app.state.runtime = runtime
    app.state.readiness = readiness
    app.state.token_store = SqlTokenStore(
        runtime.db,
        runtime.client_records,
        runtime.grant_subjects,
        runtime.refresh_tokens,
        runtime.login_records,
    )
    app.state.token_endpoint = _token_endpoint(runtime, app.state.token_store)
    app.state.metrics = collected
    app.state.usage_flusher = flusher
    app.state.sso = sso_flow
    for router in ROUTERS:
        app.include_router(router)
    install_error_handlers(app)
    install_outage_handlers(app)
    install_openapi(app)
    _hot_routes_first(app)
    _install_middleware(app, settings, collected)
    return app


def _lifespan(
    runtime: Runtime, readiness: Readiness, flusher: UsageFlusher, sso_http: SsoHttp
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """Per-process start and stop: the runtime's listener and flushers, readiness, the purge."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        await readiness.start()  # retried in the background while the database is down
        purger = _start_purger(runtime)
        await flusher.start()
        yield
        await readiness.stop()
        await flusher.stop()
        await sso_http.aclose()
        if purger is not None:
            purger.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await purger
        await runtime.stop()

    return lifespan


def _install_middleware(app: FastAPI, settings: Settings, collected: Metrics) -> None:
    """The layers every request passes, innermost first (each ``add_middleware`` wraps the
    ones before it)."""
    templates = [
        path
        for route in [*app.routes, *(r for router in ROUTERS for r in router.routes)]
        if isinstance(path := getattr(route, "path", None), str)
    ]
    app.add_middleware(RouteCapture)  # innermost: hands the route template to AccessLog
    app.add_middleware(RequestMetrics, metrics=collected)  # inside: sees scope["route"]
    app.add_middleware(CaseInsensitivePaths, templates=templates)
    # POST /oauth/token is served here, before the layers above and FastAPI's routing, which
    # do nothing for it (about 30 µs of a client_credentials grant's ~680, http/token_lane.py).
    # Inside JsonDepthLimit, so a JSON body nested too deep is refused as before; everything
    # outside (body cap, CORS, no-store, the access log, the 500s) wraps it unchanged.
    app.add_middleware(
        TokenLane, route=oauth.token_route, exception_handlers=app.exception_handlers
    )
    app.add_middleware(JsonDepthLimit, max_depth=settings.max_json_depth)  # inside the size cap
    app.add_middleware(BodySizeLimit, limit=settings.max_body_bytes)
    # Outside every other layer but the access log: its headers reach every response, the
    # errors of the others included.
    app.add_middleware(Cors, policy=settings.cors_policy, own_origin=settings.effective_base_url)
    app.add_middleware(NoStoreByDefault)  # outside CORS: its refusals carry it too
    if settings.trusted_proxies:
        # Only these peers' X-Forwarded-For / -Proto are believed (docs/operations.md).
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    app.add_middleware(AccessLog)  # outermost: every response gets X-Request-Id and a line


HOT_ROUTERS = (oauth.token_router, me.router, api_clients.router, company_users.router)
"""Matched first, ``/oauth/token`` (a router of its own) before all: routing it after the
others was a seventh of a client_credentials grant's CPU. Routing tries the included routers in
order, every route of each (about a hundred ``matches`` calls before ``/v1/me`` was found, a
quarter of its CPU). None of their path templates can match a path another router's template
matches (a test checks it), so the order changes no match; the OpenAPI document keeps
``ROUTERS`` order."""


def _hot_routes_first(app: FastAPI) -> None:
    app.state.documented_routes = list(app.router.routes)
    hot = {id(router) for router in HOT_ROUTERS}
    first = [r for r in app.router.routes if id(getattr(r, "original_router", None)) in hot]
    rest = [r for r in app.router.routes if id(getattr(r, "original_router", None)) not in hot]
    app.router.routes[:] = [*first, *rest]


def _token_endpoint(runtime: Runtime, store: SqlTokenStore) -> TokenEndpoint:
    ctx = GrantContext(runtime.codec, runtime.clock, runtime.settings.effective_base_url)
    return TokenEndpoint(
        [
            PasswordGrant(store, runtime.hasher, ctx, runtime.limits),
            ClientCredentialsGrant(store, ctx),
            RefreshTokenGrant(store, ctx),
        ],
        observers=[runtime.audit],
    )


def _start_purger(runtime: Runtime) -> asyncio.Task[None] | None:
    """The periodic purge (``GATEHOUSE_PURGE_INTERVAL_SECONDS``, 0 = off)."""
    interval = runtime.settings.purge_interval_seconds
    if interval <= 0:
        return None
    return asyncio.create_task(purge_periodically(runtime.db, runtime.clock, interval))
