"""Error responses in the OpenAPI document: OrderCloud's ``Errors`` body, the token
endpoint's OAuth body, and which statuses each requirement of a route brings.

Two sources, so that every status a route can answer is documented and none it cannot:

- what follows from a route's *requirements* (its dependencies and the middleware) is added
  by ``document.build`` from ``REQUIREMENT_STATUSES``: a new router that uses ``require(...)``,
  ``require_company_access(...)`` or a JSON body gets these without writing anything;
- what only the handler knows (a lookup that can miss, a duplicate ID, an anonymous caller
  refused) the route declares itself: ``responses=errors(404, 409)``.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from gatehouse.http.openapi.models import WireOut


class ApiError(WireOut):
    """One OrderCloud error: a stable ``ErrorCode``, a message, and optional data."""

    ErrorCode: str
    Message: str
    Data: Any


class Errors(WireOut):
    """OrderCloud's error body, on every error of every route."""

    Errors: list[ApiError] = Field(min_length=1)


class OAuthErrors(BaseModel):
    """``/oauth/token`` errors: RFC 6749 §5.2's ``error``/``error_description`` and
    OrderCloud's ``Errors[]`` in one body (the .NET SDK reads the first, the JS SDK the
    second)."""

    error: str
    error_description: str
    Errors: list[ApiError] = Field(min_length=1)


DESCRIPTIONS: dict[int, str] = {
    400: "Bad input: `ValidationFailure`, `RequiredField`, `Request.InvalidRequestBody`, a bad "
    "list query (`List.*`), a NUL character in the URL (`Request.InvalidCharacters`), a JSON "
    "body nested deeper than `GATEHOUSE_MAX_JSON_DEPTH` (`ValidationFailure`), or a rule of "
    "the resource.",
    401: "No bearer token, or one that is invalid, expired (`InvalidToken`) or revoked "
    "(`Auth.TokenRevoked`).",
    403: "The token lacks a sufficient role (`Auth.InsufficientRoles`), the resource is "
    "seller-only (`Auth.UserNotAuthorizedToAdmin`), the caller is anonymous "
    "(`Auth.AnonUserProhibited`), or `/metrics` is closed to this listener "
    "(`Metrics.Disabled`).",
    404: "A referenced object does not exist, or is outside the caller's company "
    "(`NotFound`, with `Data.ObjectType` and `Data.ObjectID`).",
    409: "The change conflicts with existing state (`IdExists`, `Conflict`, …).",
    413: "The request body exceeds `GATEHOUSE_MAX_BODY_BYTES` (`Request.TooLarge`).",
    503: "The database is unreachable (`ServiceUnavailable`); `Retry-After` says when to retry.",
    429: "The API client's request bucket is empty (`RateLimit.Exceeded`); `Retry-After` "
    "says when to retry.",
}

EVERY_REQUEST = (400, 413, 503)
"""Any route may answer these: the middleware's NUL in the URL, deep JSON and oversized body,
and a database outage (``http/outage.py``)."""

REQUIREMENT_STATUSES: dict[str, tuple[int, ...]] = {
    "bearer": (401,),  # any role check: authenticate() ran first
    "roles": (403,),  # require(...) with roles, or seller_only
    "company": (404,),  # require_company_access: another company is NotFound
    "api_bucket": (429,),  # /v1 routes take a token from ApiRequestsPerMinute
}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """FastAPI ``responses=`` for route-specific error statuses, with the ``Errors`` body.

    The content is spelled out (not ``model=``) because errors are JSON whatever the route's
    own response class is (``/metrics`` answers text, but its 401 is JSON)."""
    unknown = set(statuses) - DESCRIPTIONS.keys()
    if unknown:
        raise ValueError(f"no description for status {sorted(unknown)}")
    return {status: error_response(status) for status in statuses}


def error_response(status: int) -> dict[str, Any]:
    """One documented error status with OrderCloud's ``Errors`` body."""
    return {
        "description": DESCRIPTIONS[status],
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Errors"}}},
    }
