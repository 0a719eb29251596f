"""``/v1/orders/{direction}``: carts for buyer users and anonymous shoppers (spec §6.2). Rules
of who sees which order live in ``gatehouse.services.orders``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from gatehouse.domain.errors import UnauthenticatedError
from gatehouse.domain.listing import ListQuery
from gatehouse.domain.roles import ApiRole
from gatehouse.http.deps import Caller, ServicesDep, require
from gatehouse.http.listing import list_page, list_query, query_param
from gatehouse.http.openapi import models
from gatehouse.http.openapi.errors import errors
from gatehouse.http.schemas.orders import LIST_SPEC, OrderIn, order_out
from gatehouse.services import orders as service

router = APIRouter(prefix="/v1", tags=["Orders"])
Reader = Annotated[
    Caller, Depends(require(ApiRole.OrderAdmin, ApiRole.OrderReader, ApiRole.Shopper))
]
Writer = Annotated[Caller, Depends(require(ApiRole.OrderAdmin, ApiRole.Shopper))]
Query = Annotated[ListQuery, Depends(list_query(LIST_SPEC, ignore=("from", "to")))]


def date_range(request: Request) -> service.DateRange:
    """The SDK's ``from``/``to`` list options (bounds on ``DateCreated``)."""
    return service.parse_date_range(query_param(request, "from"), query_param(request, "to"))


Dates = Annotated[service.DateRange, Depends(date_range)]


def actor_of(caller: Caller) -> service.Actor:
    """The caller as orders see it, from the verified token and the verification cache (no
    query): an anonymous caller acts as its template user, with its ``orderid``."""
    if caller.subject_id is None:
        raise UnauthenticatedError()
    exp = caller.claims.get("exp")
    return service.Actor(
        caller.marketplace_id,
        caller.user_type,
        caller.subject_id,
        caller.company_id,
        caller.roles,
        caller.order_id,
        datetime.fromtimestamp(exp, UTC) if caller.order_id and isinstance(exp, int) else None,
    )


@router.get("/orders/{direction}", response_model=models.ListPage[models.Order])
async def list_orders(
    services: ServicesDep, caller: Reader, direction: str, query: Query, dates: Dates
) -> JSONResponse:
    way = service.parse_direction(direction, allow_all=True)
    actor = actor_of(caller)
    found, total = await services.orders.list_page(actor, way, query, dates)
    items = [order_out(o, marketplace_id=caller.marketplace_id) for o in found]
    return JSONResponse(list_page(items, query, total))


@router.post(
    "/orders/{direction}", status_code=201, response_model=models.Order, responses=errors(409)
)
async def create_order(
    services: ServicesDep, caller: Writer, direction: str, body: OrderIn
) -> JSONResponse:
    way = service.parse_direction(direction)
    actor = actor_of(caller)
    order = await services.orders.create(actor, way, body.domain_fields())
    return JSONResponse(order_out(order, marketplace_id=caller.marketplace_id), 201)


@router.get("/orders/{direction}/{orderID}", response_model=models.Order)
async def get_order(
    services: ServicesDep, caller: Reader, direction: str, orderID: str
) -> JSONResponse:
    way = service.parse_direction(direction)
    order = await services.orders.get(actor_of(caller), way, orderID)
    return JSONResponse(order_out(order, marketplace_id=caller.marketplace_id))


@router.patch("/orders/{direction}/{orderID}", response_model=models.Order, responses=errors(409))
async def patch_order(
    services: ServicesDep, caller: Writer, direction: str, orderID: str, body: OrderIn
) -> JSONResponse:
    way = service.parse_direction(direction)
    actor = actor_of(caller)
    order = await services.orders.patch(actor, way, orderID, body.domain_fields())
    return JSONResponse(order_out(order, marketplace_id=caller.marketplace_id))


@router.delete("/orders/{direction}/{orderID}", status_code=204)
async def delete_order(
    services: ServicesDep, caller: Writer, direction: str, orderID: str
) -> Response:
    way = service.parse_direction(direction)
    await services.orders.delete(actor_of(caller), way, orderID)
    return Response(status_code=204)
