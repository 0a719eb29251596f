"""Response models and response declarations of the routes merged after the first document:
SSO configuration (``/v1/openidconnects``, ``/v1/integrationEvents``), client origins, the
console's config, health probes, token revocation/introspection and the SSO browser
endpoints. Documentation only, like ``models.py``: handlers still return their dicts."""

from __future__ import annotations

from typing import Any, Literal

from gatehouse.http.openapi.errors import error_response
from gatehouse.http.openapi.models import OpenOut, WireOut
from gatehouse.http.openapi.oauth import ERRORS_REF, OAUTH_ERRORS_REF


class OpenIdConnect(WireOut):
    ID: str
    OrderCloudApiClientID: str
    ConnectClientID: str
    ConnectClientSecret: str
    AppStartUrl: str
    AuthorizationEndpoint: str
    TokenEndpoint: str
    UrlEncoded: bool
    IntegrationEventID: str | None
    CallSyncUserIntegrationEvent: bool
    IntegrationEventName: str | None
    AdditionalIdpScopes: list[str]
    CustomErrorUrl: str | None


class IntegrationEvent(WireOut):
    ElevatedRoles: list[str]
    ID: str
    ConfigData: Any
    EventType: str
    CustomImplementationUrl: str
    CustomAuthHeaderName: str | None
    CustomAuthHeaderValue: None
    Name: str
    HashKey: str


class AllowedOrigins(WireOut):
    AllowedOrigins: list[str]


class ConsoleConfig(WireOut):
    MarketplaceID: str
    ApiClientID: str


class Liveness(WireOut):
    Status: Literal["live"]
    Version: str


class Readiness(WireOut):
    """``Invalidation`` only when the server listens for cross-process invalidations."""

    Status: Literal["ready", "unready"]
    Database: Literal["ok", "unreachable"]
    Keys: Literal["loaded", "not loaded"]
    Invalidation: Literal["listening", "reconnecting"] | None = None
    Version: str


class Introspection(OpenOut):
    """RFC 7662: ``{"active": false}`` alone, or the token's claims (members may grow)."""

    active: bool


RETRY_AFTER = {"Retry-After": {"required": True, "schema": {"type": "integer", "minimum": 1}}}
READY_RESPONSES: dict[int | str, dict[str, Any]] = {
    503: {
        "description": "Not ready: the database does not answer or the keys are not loaded.",
        "headers": RETRY_AFTER,
        "model": Readiness,
    }
}

_FORM = {
    "type": "object",
    "properties": {
        "token": {"type": "string", "maxLength": 8192, "description": "The token (required)."},
        "token_type_hint": {"type": "string", "maxLength": 100},
        "client_id": {"type": "string", "maxLength": 4096},
        "client_secret": {"type": "string", "maxLength": 4096},
    },
}
_OAUTH_OR_PLAIN = {"anyOf": [OAUTH_ERRORS_REF, ERRORS_REF]}


def _error(description: str, schema: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": schema}},
        **extra,
    }


TOKEN_FORM_OPERATION: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"application/x-www-form-urlencoded": {"schema": _FORM}},
    },
    "security": [{}, {"clientBasic": []}],
}
REVOKE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "Revoked, or nothing to revoke (RFC 7009 §2.2): no body."},
    400: _error("`invalid_request` (no `token`).", _OAUTH_OR_PLAIN),
    401: _error(
        "`invalid_client`; with `WWW-Authenticate: Basic` when Basic auth was used.",
        OAUTH_ERRORS_REF,
    ),
}
INTROSPECT_OPERATION: dict[str, Any] = {
    **TOKEN_FORM_OPERATION,
    "security": [{"clientBasic": []}, {"bearer": []}, {}],
}
INTROSPECT_RESPONSES: dict[int | str, dict[str, Any]] = {
    **REVOKE_RESPONSES,
    401: _error(
        "`invalid_client`, no client credentials, or an invalid bearer token (`Errors`).",
        _OAUTH_OR_PLAIN,
    ),
    403: error_response(403),
}

_HTML = {"text/html": {"schema": {"type": "string"}}}
_LOCATION = {"Location": {"required": True, "schema": {"type": "string"}}}
SSO_RESPONSES: dict[int | str, dict[str, Any]] = {
    302: {
        "description": "To the identity provider, the app, or `CustomErrorUrl`.",
        "headers": _LOCATION,
    },
    400: {
        "description": "The sign-in failed and no `CustomErrorUrl` is set (an HTML page); a NUL "
        "in the URL is answered before the endpoint (`Errors`).",
        "content": {**error_response(400)["content"], **_HTML},
    },
}
SSO_LOGIN_RESPONSES: dict[int | str, dict[str, Any]] = {
    **SSO_RESPONSES,
    429: {
        "description": "The client's token bucket is empty (an HTML page).",
        "content": _HTML,
        "headers": RETRY_AFTER,
    },
}

_CALLBACK_FIELD = {"type": "string", "maxLength": 4096}
CALLBACK_FORM_OPERATION: dict[str, Any] = {
    "requestBody": {
        "required": False,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "description": "The identity provider's `form_post` callback.",
                    "properties": {
                        "state": _CALLBACK_FIELD,
                        "code": _CALLBACK_FIELD,
                        "error": _CALLBACK_FIELD,
                        "error_description": _CALLBACK_FIELD,
                    },
                }
            }
        },
    }
}


# The request line and headers together are bounded (``GATEHOUSE_MAX_HEADER_BYTES``, 32 KiB by
# default; more is 431 from the protocol layer): 512 characters a parameter keep even fully
# percent-encoded values within it.
_QUERY_FIELD = {"type": "string", "maxLength": 512}


def _query(*names: str) -> list[dict[str, Any]]:
    return [
        {"name": name, "in": "query", "required": False, "schema": _QUERY_FIELD} for name in names
    ]


LOGIN_OPERATION: dict[str, Any] = {
    "parameters": _query("id", "cid", "roles", "appStartPath", "customParams")
}
CALLBACK_QUERY_OPERATION: dict[str, Any] = {
    "parameters": _query("state", "code", "error", "error_description")
}
