"""``/oauth/token``, ``/oauth/certs/{kid}`` and the standard discovery documents.

OAuth endpoints have no ``/v1`` prefix (the SDKs build ``{base}/oauth/token``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.responses import Response

from gatehouse.domain.errors import NotFoundError
from gatehouse.http.cors import CROSS_ORIGIN
from gatehouse.http.deps import RuntimeDep
from gatehouse.http.metrics import Metrics
from gatehouse.http.openapi import models
from gatehouse.http.openapi.oauth import TOKEN_OPERATION, TOKEN_RESPONSES
from gatehouse.oauth.client_auth import challenge, with_client_auth
from gatehouse.oauth.errors import InvalidClientError, InvalidRequestError, client_rate_limited
from gatehouse.oauth.metadata import authorization_server_metadata
from gatehouse.oauth.server import TokenAttempt, TokenEndpoint, TokenRequest
from gatehouse.runtime import Runtime

router = APIRouter(tags=["OAuth"])
token_router = APIRouter(tags=["OAuth"])
"""``/oauth/token`` alone, so that the app can match it before every other route
(``app.HOT_ROUTERS``) without putting this module's other routes ahead of ``/v1/me``."""
FORM_TYPE = "application/x-www-form-urlencoded"
MAX_FORM_FIELDS = 50


class PlainRoute(APIRoute):
    """A route documented like any other (response model, errors, ``openapi_extra``) whose
    endpoint takes the ``Request`` and returns the ``Response`` itself: no dependency
    resolution, body reading or response-model work per request (issue 12, the token
    endpoint's hot path). Errors still reach the app's handlers as from any route."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        endpoint: Callable[[Request], Coroutine[Any, Any, Response]] = self.endpoint
        return endpoint


async def token(request: Request) -> JSONResponse:
    """Form-encoded only, as every SDK sends it; anything else is ``Request.InvalidContentType``."""
    metrics: Metrics = request.app.state.metrics
    attempt = TokenAttempt()
    request.state.token_attempt = attempt  # for the access log line (client, grant type)
    with metrics.observe_token(attempt):
        pairs = await form_pairs(request)
        token_request = TokenRequest.from_pairs(pairs)
        origin = request.scope.get(CROSS_ORIGIN)
        if origin is not None:
            token_request = dataclasses.replace(token_request, origin=origin)
        attempt.grant_type = token_request.grant_type or ""
        token_request, method = with_client_auth(
            token_request, request.headers.get("authorization")
        )
        runtime: Runtime = request.app.state.runtime
        # Per-client bucket (Gatehouse's own, docs/operations.md "Rate limits"); unknown
        # clients have none and get the grant's usual 401.
        wait = await runtime.limits.token_wait(token_request.client_id)
        if wait is not None:
            raise client_rate_limited(wait)
        endpoint: TokenEndpoint = request.app.state.token_endpoint
        try:
            response = await endpoint.handle(token_request, attempt)
        except InvalidClientError as exc:
            raise challenge(exc, method) from None
    return JSONResponse(
        response.body(), headers={"Cache-Control": "no-store", "Pragma": "no-cache"}
    )


async def form_pairs(request: Request) -> list[tuple[str, str]]:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await request.body()
    if body and content_type != FORM_TYPE:
        raise InvalidRequestError(
            "Request.InvalidContentType", "Invalid content type. Please use x-www-form-urlencoded."
        )
    try:
        return parse_qsl(
            body.decode(),
            keep_blank_values=True,
            max_num_fields=MAX_FORM_FIELDS,
            strict_parsing=False,
        )
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidRequestError(
            "Request.InvalidRequestBody", "The form body is invalid."
        ) from exc


token_router.add_api_route(
    "/oauth/token",
    token,
    methods=["POST"],
    response_model=models.AccessToken,
    responses=TOKEN_RESPONSES,
    openapi_extra=TOKEN_OPERATION,
    route_class_override=PlainRoute,
)


def _only_route() -> PlainRoute:
    [route] = token_router.routes
    assert isinstance(route, PlainRoute)
    return route


token_route = _only_route()
"""The one route of ``token_router``, which ``http.token_lane.TokenLane`` also serves."""


@router.get("/oauth/certs/{kid}", response_model=models.JsonWebKey)
async def public_key(runtime: RuntimeDep, kid: str) -> JSONResponse:
    """One published JWK; no token needed (catalyst sends whatever bearer it has)."""
    key = await runtime.keys.public_key(kid)
    if key is None:
        raise NotFoundError("PublicKey", kid)
    return JSONResponse(key.jwk, headers={"Cache-Control": "public, max-age=3600"})


@router.get("/.well-known/jwks.json", response_model=models.JsonWebKeySet)
async def jwks(runtime: RuntimeDep) -> JSONResponse:
    await runtime.keys.signing_key()  # refreshes the published set when it is stale
    return JSONResponse({"keys": [key.jwk for key in runtime.keys.published()]})


@router.get(
    "/.well-known/oauth-authorization-server", response_model=models.AuthorizationServerMetadata
)
async def metadata(runtime: RuntimeDep) -> JSONResponse:
    """RFC 8414 metadata, so generic OAuth tooling can find the endpoints (``oauth_metadata``)."""
    return JSONResponse(authorization_server_metadata(runtime.settings.effective_base_url))
