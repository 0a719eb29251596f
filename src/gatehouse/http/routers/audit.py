"""``GET /gatehouse/audit``: the marketplace's audit trail (issue 5 point 2). Seller-only;
FullAccess, ApiClientAdmin or ApiClientReader.

Query: the shared list conventions (``page``, ``pageSize`` ≤ 100, ``sortBy`` of ``Time``,
``ID``, ``EventType``, ``ClientID``; filters ``EventType``, ``Time``, ``ID``, ``ClientID``
with wildcards and ``|``), plus ``clientID`` (the client concerned or the client the actor
used), ``username`` (the user concerned or the acting user), ``from`` and ``to`` (ISO 8601;
default: the 366 days up to now).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from gatehouse.domain.errors import InvalidInputError
from gatehouse.domain.listing import ListQuery
from gatehouse.domain.roles import ApiRole
from gatehouse.http.deps import Caller, RuntimeDep, require
from gatehouse.http.listing import list_page, list_query, query_param
from gatehouse.http.openapi.models import ListPage
from gatehouse.http.openapi.operations import AuditEvent
from gatehouse.http.schemas.audit import LIST_SPEC, event_out
from gatehouse.services import audit as service

router = APIRouter(prefix="/gatehouse", tags=["Audit"])
Reader = Annotated[
    Caller, Depends(require(ApiRole.ApiClientAdmin, ApiRole.ApiClientReader, seller_only=True))
]
OWN_PARAMS = ("clientID", "username", "from", "to")
Query = Annotated[ListQuery, Depends(list_query(LIST_SPEC, ignore=OWN_PARAMS))]


@router.get("/audit", response_model=ListPage[AuditEvent])
async def list_audit_events(
    runtime: RuntimeDep, caller: Reader, query: Query, request: Request
) -> JSONResponse:
    events, total = await service.list_page(
        runtime.db,
        runtime.clock,
        caller.marketplace_id,
        query,
        client_id=query_param(request, "clientID"),
        username=query_param(request, "username"),
        since=_instant(request, "from"),
        until=_instant(request, "to"),
    )
    return JSONResponse(list_page([event_out(e) for e in events], query, total))


def _instant(request: Request, name: str) -> datetime | None:
    """An ISO 8601 date or date-time; naive means UTC. Anything else is 400."""
    raw = query_param(request, name)
    if raw is None:
        return None
    parsed = service.parse_instant(raw)
    if parsed is None:
        raise InvalidInputError(
            "Audit.InvalidDate",
            f"{name} must be an ISO 8601 date or date-time.",
            {"Property": name},
        )
    return parsed
