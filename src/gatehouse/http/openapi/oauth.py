"""``POST /oauth/token`` in the document: its form body and its two error shapes.

The endpoint reads the form itself (``parse_qsl``, so that a missing field is an OAuth error,
not FastAPI's validation error), so the body is declared here rather than inferred. Its errors
are OAuth bodies (``OAuthErrors``), except what the middleware answers before the endpoint
runs: a NUL in the URL (400) and an oversized body (413), which are plain ``Errors``.
"""

from __future__ import annotations

from typing import Any

OAUTH_ERRORS_REF = {"$ref": "#/components/schemas/OAuthErrors"}
ERRORS_REF = {"$ref": "#/components/schemas/Errors"}
GRANT_TYPES = ["password", "client_credentials", "refresh_token"]

_FIELD = {"type": "string", "maxLength": 4096}
TOKEN_FORM: dict[str, Any] = {
    "type": "object",
    "required": ["grant_type"],
    "properties": {
        "grant_type": {"type": "string", "enum": GRANT_TYPES},
        "client_id": {**_FIELD, "description": "The API client (OrderCloud's form)."},
        "client_secret": {**_FIELD, "description": "A client secret, when the client has one."},
        "username": {**_FIELD, "description": "`password` grant."},
        "password": {**_FIELD, "description": "`password` grant."},
        "scope": {**_FIELD, "description": "Space-separated roles; absent: every role."},
        "refresh_token": {**_FIELD, "description": "`refresh_token` grant."},
        "anonuserid": {**_FIELD, "description": "Anonymous shoppers (`client_credentials`)."},
    },
}


def _oauth(description: str, *, retry_after: bool = False) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": description,
        "content": {"application/json": {"schema": OAUTH_ERRORS_REF}},
    }
    if retry_after:
        response["headers"] = {
            "Retry-After": {"required": True, "schema": {"type": "integer", "minimum": 1}}
        }
    return response


TOKEN_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {
        "description": "`invalid_request`, `invalid_grant` or `unsupported_grant_type` "
        "(`OAuthErrors`); a NUL in the URL is answered before the endpoint (`Errors`).",
        "content": {"application/json": {"schema": {"anyOf": [OAUTH_ERRORS_REF, ERRORS_REF]}}},
    },
    401: _oauth("`invalid_client`: unknown or inactive client, wrong client secret."),
    429: _oauth(
        "`slow_down`: the client's token bucket is empty (`RateLimit.Exceeded`) or the "
        "username has too many recent failed passwords (`Auth.TooManyFailedAttempts`).",
        retry_after=True,
    ),
}

TOKEN_OPERATION: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"application/x-www-form-urlencoded": {"schema": TOKEN_FORM}},
    },
    "security": [],
}
