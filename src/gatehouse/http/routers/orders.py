"""``/v1/orders/{direction}``: carts for buyer users and anonymous shoppers (spec §6.2). Rules
of who sees which order live in ``gatehouse.services.orders``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from gatehouse.domain.listing import ListQuery
from gatehouse.domain.roles import ApiRole
from gatehouse.http.deps import Caller, RuntimeDep, require
from gatehouse.http.listing import list_page, list_query, query_param
from gatehouse.http.schemas.orders import LIST_SPEC, OrderIn, order_out
from gatehouse.runtime import Runtime
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


async def actor_of(runtime: Runtime, caller: Caller) -> service.Actor:
    exp = caller.claims.get("exp")
    return await service.actor_of(
        runtime.db,
        marketplace_id=caller.marketplace_id,
        user_type=caller.user_type,
        internal_user_id=caller.internal_user_id,
        username=caller.username,
        roles=caller.roles,
        order_key=caller.order_id,
        expires_at=datetime.fromtimestamp(exp, UTC) if isinstance(exp, int) else None,
    )


@router.get("/orders/{direction}")
async def list_orders(
    runtime: RuntimeDep, caller: Reader, direction: str, query: Query, dates: Dates
) -> JSONResponse:
    way = service.parse_direction(direction, allow_all=True)
    actor = await actor_of(runtime, caller)
    found, total = await service.list_page(runtime.db, actor, way, query, dates)
    items = [order_out(o, marketplace_id=caller.marketplace_id) for o in found]
    return JSONResponse(list_page(items, query, total))


@router.post("/orders/{direction}", status_code=201)
async def create_order(
    runtime: RuntimeDep, caller: Writer, direction: str, body: OrderIn
) -> JSONResponse:
    way = service.parse_direction(direction)
    actor = await actor_of(runtime, caller)
    order = await service.create(runtime.db, runtime.clock, actor, way, body.domain_fields())
    return JSONResponse(order_out(order, marketplace_id=caller.marketplace_id), 201)


@router.get("/orders/{direction}/{orderID}")
async def get_order(
    runtime: RuntimeDep, caller: Reader, direction: str, orderID: str
) -> JSONResponse:
    way = service.parse_direction(direction)
    order = await service.get(runtime.db, await actor_of(runtime, caller), way, orderID)
    return JSONResponse(order_out(order, marketplace_id=caller.marketplace_id))


@router.patch("/orders/{direction}/{orderID}")
async def patch_order(
    runtime: RuntimeDep, caller: Writer, direction: str, orderID: str, body: OrderIn
) -> JSONResponse:
    way = service.parse_direction(direction)
    actor = await actor_of(runtime, caller)
    order = await service.patch(
        runtime.db, runtime.clock, actor, way, orderID, body.domain_fields()
    )
    return JSONResponse(order_out(order, marketplace_id=caller.marketplace_id))


@router.delete("/orders/{direction}/{orderID}", status_code=204)
async def delete_order(
    runtime: RuntimeDep, caller: Writer, direction: str, orderID: str
) -> Response:
    way = service.parse_direction(direction)
    await service.delete(runtime.db, await actor_of(runtime, caller), way, orderID)
    return Response(status_code=204)
