"""An unreachable database becomes 503 with ``Retry-After`` and an OrderCloud error body.

These handlers are registered for the exception classes a database failure raises, so
Starlette runs them in its ``ExceptionMiddleware`` (inside the app) and sends an ordinary
response: the keep-alive connection stays usable. The catch-all ``Exception`` handler would
run in the outermost ``ServerErrorMiddleware`` instead, which re-raises after responding and
makes uvicorn drop the connection. A database error that is not about reachability still
gets the usual bare ``ServerError``, but through this path too.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError

from gatehouse.http.errors import error_body
from gatehouse.runtime import Runtime
from gatehouse.storage.availability import is_unavailable, loaded_asyncpg_errors

log = logging.getLogger("gatehouse.http")

UNAVAILABLE_CODE = "ServiceUnavailable"
_DATABASE_ERRORS: tuple[type[Exception], ...] = (SQLAlchemyError, OSError)
_ASYNCPG_ERRORS = ("PostgresError", "InterfaceError")


def unavailable_response(retry_after: int) -> JSONResponse:
    body = error_body(
        UNAVAILABLE_CODE, "The service is temporarily unavailable; retry later.", None
    )
    return JSONResponse(body, 503, {"Retry-After": str(retry_after)})


async def _database_error(request: Request, exc: Exception) -> JSONResponse:
    runtime: Runtime = request.app.state.runtime
    if is_unavailable(exc):
        runtime.db.outage.report(exc)
        return unavailable_response(runtime.settings.outage_retry_after_seconds)
    log.error("unhandled error: %s", type(exc).__name__, exc_info=exc)
    return JSONResponse(error_body("ServerError", "An unexpected error occurred."), 500)


def install_outage_handlers(app: FastAPI) -> None:
    """Call after the runtime's engines exist: a PostgreSQL engine has loaded asyncpg by then,
    and asyncpg's own errors get the handler too. An SQLite server never imports asyncpg
    (2.8 MB of RSS a worker, issue 12), so none of its errors can reach a request."""
    for exc_class in _DATABASE_ERRORS + loaded_asyncpg_errors(*_ASYNCPG_ERRORS):
        app.add_exception_handler(exc_class, _database_error)
