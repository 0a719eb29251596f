"""``GET /ocrplogin`` and ``GET``/``POST`` (form_post) ``/ocrpcode``: OrderCloud's SSO browser
endpoints, at the root like ``/oauth/*`` (ordercloud-sso.md §1, §3). The protocol lives in
``gatehouse.sso.flow``; this router only reads parameters, sets the browser-binding cookie and
turns outcomes into redirects or the error page."""

from __future__ import annotations

import html
import time
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gatehouse.domain.usage import ISSUED
from gatehouse.http.metrics import Metrics
from gatehouse.http.openapi.features import (
    CALLBACK_FORM_OPERATION,
    CALLBACK_QUERY_OPERATION,
    LOGIN_OPERATION,
    SSO_LOGIN_RESPONSES,
    SSO_RESPONSES,
)
from gatehouse.oauth.server import TokenAttempt
from gatehouse.runtime import Runtime
from gatehouse.sso.flow import Callback, LoginRequest, SsoFailedError, SsoFlow

router = APIRouter(tags=["SSO"])
COOKIE = "gatehouse_sso"
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache", "Referrer-Policy": "no-referrer"}
MAX_FORM_BYTES = 64_000


def _params(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    """Parameter names match case-insensitively (``appStartPath`` and ``appstartpath``)."""
    found: dict[str, list[str]] = {}
    for key, value in pairs:
        found.setdefault(key.lower(), []).append(value)
    return found


def _one(params: dict[str, list[str]], name: str) -> str | None:
    values = params.get(name.lower())
    return values[0] if values and values[0] != "" else None


@router.get(
    "/ocrplogin",
    status_code=302,
    response_class=Response,
    responses=SSO_LOGIN_RESPONSES,
    openapi_extra=LOGIN_OPERATION,
)
async def ocrplogin(request: Request) -> Response:
    params = _params(request.query_params.multi_items())
    login = LoginRequest(
        config_id=_one(params, "id"),
        client_id=_one(params, "cid"),
        roles=_one(params, "roles"),
        app_start_path=_one(params, "appstartpath"),
        custom_params=tuple(params.get("customparams", [])),
    )
    flow: SsoFlow = request.app.state.sso
    runtime: Runtime = request.app.state.runtime
    # Each login stores a state: the client's token-endpoint bucket bounds them (rate limits).
    wait = await runtime.limits.token_wait(login.client_id) if login.client_id else None
    if wait is not None:
        return HTMLResponse(
            "<!doctype html><title>Too many sign-ins</title><p>Please retry later.</p>",
            status_code=429,
            headers={**NO_STORE, "Retry-After": str(wait)},
        )
    try:
        redirect = await flow.begin(login, request.cookies.get(COOKIE))
    except SsoFailedError as failure:
        return _failed(failure)
    response = RedirectResponse(redirect.url, status_code=302, headers=NO_STORE)
    if redirect.browser is not None:
        secure = flow.settings.effective_base_url.startswith("https://")
        response.set_cookie(
            COOKIE,
            redirect.browser,
            max_age=flow.settings.sso_state_minutes * 60 * 6,
            path="/",
            httponly=True,
            secure=secure,
            # form_post callbacks are cross-site POSTs: Lax cookies would not come back.
            samesite="none" if secure else "lax",
        )
    return response


@router.get(
    "/ocrpcode",
    status_code=302,
    response_class=Response,
    responses=SSO_RESPONSES,
    openapi_extra=CALLBACK_QUERY_OPERATION,
)
@router.post(
    "/ocrpcode",
    status_code=302,
    response_class=Response,
    responses=SSO_RESPONSES,
    openapi_extra=CALLBACK_FORM_OPERATION,
)
async def ocrpcode(request: Request) -> Response:
    pairs = request.query_params.multi_items()
    if request.method == "POST":
        body = (await request.body())[:MAX_FORM_BYTES]
        pairs = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
    params = _params(list(pairs))
    callback = Callback(
        state=_one(params, "state"),
        code=_one(params, "code"),
        error=_one(params, "error"),
        error_description=_one(params, "error_description"),
    )
    flow: SsoFlow = request.app.state.sso
    started = time.perf_counter()
    try:
        redirect = await flow.complete(callback, request.cookies.get(COOKIE))
    except SsoFailedError as failure:
        _count(request, failure.attempt, failure.error.code, started)
        return _failed(failure)
    _count(request, redirect.attempt, ISSUED, started)
    return RedirectResponse(redirect.url, status_code=302, headers=NO_STORE)


def _count(request: Request, attempt: TokenAttempt | None, outcome: str, started: float) -> None:
    if attempt is not None:
        metrics: Metrics = request.app.state.metrics
        metrics.token(attempt, outcome, time.perf_counter() - started)


def _failed(failure: SsoFailedError) -> Response:
    """``CustomErrorUrl`` when the config has one; else a small page, never a redirect to a
    URL nobody configured."""
    if failure.error_url is not None:
        return RedirectResponse(failure.error_url, status_code=302, headers=NO_STORE)
    page = (
        "<!doctype html><meta charset=utf-8><title>Sign-in failed</title>"
        f"<h1>Sign-in failed</h1><p>{html.escape(failure.message)}</p>"
        f"<p><small>{html.escape(failure.error.code)}</small></p>"
    )
    return HTMLResponse(page, status_code=400, headers=NO_STORE)
