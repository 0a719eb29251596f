"""The only place exceptions become HTTP responses.

Domain errors map by category (Starlette finds the handler through the class hierarchy);
request validation errors become ``RequiredField``/``ValidationFailure``; anything unexpected
becomes a bare ``ServerError`` that reveals nothing.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from gatehouse.domain.errors import (
    ConflictError,
    DomainError,
    ForbiddenError,
    NotFoundError,
    PayloadTooLargeError,
    UnauthenticatedError,
)
from gatehouse.domain.rate_limits import RateLimitedError
from gatehouse.oauth.errors import OAuthError

log = logging.getLogger("gatehouse.http")

_STATUS_BY_CATEGORY: tuple[tuple[type[DomainError], int], ...] = (
    (PayloadTooLargeError, 413),
    (RateLimitedError, 429),
    (NotFoundError, 404),
    (ConflictError, 409),
    (UnauthenticatedError, 401),
    (ForbiddenError, 403),
)


def error_body(code: str, message: str, data: Any = None) -> dict[str, Any]:
    return {"Errors": [{"ErrorCode": code, "Message": message, "Data": data}]}


def status_for(exc: DomainError) -> int:
    for category, status in _STATUS_BY_CATEGORY:
        if isinstance(exc, category):
            return status
    return 400


async def _domain_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, UnauthenticatedError) else None
    if isinstance(exc, RateLimitedError):
        headers = {"Retry-After": str(exc.retry_after)}
    return JSONResponse(error_body(exc.code, exc.message, exc.data), status_for(exc), headers)


async def _oauth_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, OAuthError)
    return JSONResponse(exc.body(), exc.status_code, exc.headers())


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [_validation_entry(err) for err in exc.errors()][:20]
    return JSONResponse({"Errors": errors}, 400)


def _validation_entry(err: Any) -> dict[str, Any]:
    loc = [str(part) for part in err.get("loc", ()) if part != "body"]
    field = ".".join(loc) or None
    kind = err.get("type", "")
    if kind == "missing" and field:
        return {
            "ErrorCode": "RequiredField",
            "Message": f"Field {field} is required",
            "Data": {"Field": field},
        }
    if kind == "json_invalid" or (
        not field and kind in ("model_attributes_type", "dict_type", "missing")
    ):
        return {
            "ErrorCode": "Request.InvalidRequestBody",
            "Message": "Request body is invalid or null.",
            "Data": None,
        }
    message = f"{field}: {err.get('msg')}" if field else str(err.get("msg"))
    return {"ErrorCode": "ValidationFailure", "Message": message, "Data": {"Field": field}}


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        body = error_body(
            "NotFound", "Route not found.", {"ObjectType": "Route", "ObjectID": request.url.path}
        )
    elif exc.status_code == 405:
        body = error_body("Request.MethodNotAllowed", "Method not allowed.")
    else:
        body = error_body("Request.Invalid", str(exc.detail))
    return JSONResponse(body, exc.status_code, getattr(exc, "headers", None))


async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
    log.error("unhandled error: %s", type(exc).__name__, exc_info=exc)
    return JSONResponse(error_body("ServerError", "An unexpected error occurred."), 500)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(OAuthError, _oauth_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
