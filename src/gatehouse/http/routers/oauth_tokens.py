"""``POST /oauth/revoke`` (RFC 7009) and ``POST /oauth/introspect`` (RFC 7662).

Both take a form body like ``/oauth/token`` and authenticate the client the same ways
(``oauth.client_auth``). Introspection also accepts, instead of client credentials, a bearer
token of a seller (admin) user holding ``ApiClientReader`` (or ``ApiClientAdmin``,
``FullAccess``): reading what a token grants is reading the API clients' state. Both answer
with ``Cache-Control: no-store``.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from gatehouse.domain.errors import ForbiddenError
from gatehouse.domain.roles import ApiRole, satisfies
from gatehouse.domain.users import UserType
from gatehouse.http.deps import authenticate, get_runtime
from gatehouse.http.openapi.features import (
    INTROSPECT_OPERATION,
    INTROSPECT_RESPONSES,
    REVOKE_RESPONSES,
    TOKEN_FORM_OPERATION,
    Introspection,
)
from gatehouse.http.routers.oauth import form_pairs
from gatehouse.oauth.client_auth import challenge, with_client_auth
from gatehouse.oauth.errors import BasicChallengeError, InvalidClientError, InvalidRequestError
from gatehouse.oauth.jwt import MAX_TOKEN_LENGTH
from gatehouse.oauth.server import TokenRequest
from gatehouse.services import oauth_tokens
from gatehouse.services.oauth_tokens import TokenTools

router = APIRouter(tags=["OAuth"])
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
INTROSPECTION_ROLES = (ApiRole.ApiClientReader.value, ApiRole.ApiClientAdmin.value)


def _tools(request: Request) -> TokenTools:
    runtime = get_runtime(request)
    return TokenTools(
        runtime.db,
        runtime.clock,
        runtime.codec,
        runtime.standing,
        runtime.revoked,
        request.app.state.token_store,
    )


def _token(pairs: list[tuple[str, str]]) -> str:
    """The ``token`` parameter (RFC 7009 §2.1, RFC 7662 §2.1): required, bounded."""
    token = next((value for key, value in pairs if key == "token"), "")
    if not token:
        raise InvalidRequestError("Auth.TokenRequired", "token is required.")
    if len(token) > MAX_TOKEN_LENGTH or "\x00" in token:
        raise InvalidRequestError("Request.FieldTooLong", "The token field is invalid.")
    return token


@router.post(
    "/oauth/revoke",
    response_class=Response,
    responses=REVOKE_RESPONSES,
    openapi_extra=TOKEN_FORM_OPERATION,
)
async def revoke(request: Request) -> Response:
    """RFC 7009: 200 whether or not the token existed or was the caller's (a client revokes
    only its own tokens). ``token_type_hint`` is accepted and not needed: access tokens are
    JWTs, refresh tokens are not."""
    pairs = await form_pairs(request)
    client_request, method = with_client_auth(
        TokenRequest.from_pairs(pairs), request.headers.get("authorization")
    )
    token = _token(pairs)
    tools = _tools(request)
    client = await oauth_tokens.authenticated_client(tools, client_request, method)
    await oauth_tokens.revoke(tools, client, token)
    return Response(status_code=200, headers=NO_STORE)


@router.post(
    "/oauth/introspect",
    response_model=Introspection,
    responses=INTROSPECT_RESPONSES,
    openapi_extra=INTROSPECT_OPERATION,
)
async def introspect(request: Request) -> JSONResponse:
    """RFC 7662: ``{"active": false}`` and nothing else for any token that is not active for
    the caller's marketplace."""
    pairs = await form_pairs(request)
    marketplace_id = await _introspecting_marketplace(request, pairs)
    body = await oauth_tokens.introspect(_tools(request), marketplace_id, _token(pairs))
    return JSONResponse(body, headers=NO_STORE)


async def _introspecting_marketplace(request: Request, pairs: list[tuple[str, str]]) -> str:
    """Who may introspect: a seller bearer with an introspection role, or a client that
    authenticates with a secret. Returns the caller's marketplace."""
    authorization = request.headers.get("authorization", "")
    if authorization.strip().lower().startswith("bearer "):
        caller = await authenticate(request, get_runtime(request))
        if caller.user_type is not UserType.ADMIN or not satisfies(
            caller.roles, INTROSPECTION_ROLES
        ):
            raise ForbiddenError(
                data={
                    "SufficientRoles": [ApiRole.FullAccess.value, *INTROSPECTION_ROLES],
                    "AssignedRoles": sorted(caller.roles),
                }
            )
        return caller.marketplace_id
    client_request, method = with_client_auth(TokenRequest.from_pairs(pairs), authorization)
    if not client_request.client_id:
        raise BasicChallengeError(
            "Auth.ClientAuthenticationRequired",
            "Authenticate with client credentials or a bearer token.",
        )
    record = await oauth_tokens.authenticated_client(_tools(request), client_request, method)
    if not record.has_secret:
        raise challenge(
            InvalidClientError(
                "Auth.ClientSecretRequired", "Only a client with a secret may introspect tokens."
            ),
            method,
        )
    return record.marketplace_id
