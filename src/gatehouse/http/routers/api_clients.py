"""``/v1/apiclients`` and the ApiClient assignment routes (spec §2.2). Seller-only."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from gatehouse.domain.listing import ListQuery, page_meta
from gatehouse.domain.roles import ApiRole
from gatehouse.http.deps import Caller, ServicesDep, actor, require
from gatehouse.http.direct import DirectRoute
from gatehouse.http.listing import list_page, list_query, paging, query_param
from gatehouse.http.openapi import models
from gatehouse.http.openapi.errors import errors
from gatehouse.http.schemas.api_clients import (
    LIST_SPEC,
    ApiClientAssignmentIn,
    ApiClientIn,
    api_client_out,
    assignment_out,
)

router = APIRouter(prefix="/v1", tags=["ApiClients"])
Reader = Annotated[
    Caller, Depends(require(ApiRole.ApiClientAdmin, ApiRole.ApiClientReader, seller_only=True))
]
Admin = Annotated[Caller, Depends(require(ApiRole.ApiClientAdmin, seller_only=True))]
Query = Annotated[ListQuery, Depends(list_query(LIST_SPEC))]


async def list_api_clients(services: ServicesDep, caller: Reader, query: Query) -> JSONResponse:
    clients, total = await services.api_clients.list_page(caller.marketplace_id, query)
    return JSONResponse(list_page([api_client_out(c) for c in clients], query, total))


router.add_api_route(
    "/apiclients",
    list_api_clients,
    methods=["GET"],
    response_model=models.ListPage[models.ApiClient],
    route_class_override=DirectRoute,
)


@router.post("/apiclients", status_code=201, response_model=models.ApiClient)
async def create_api_client(
    services: ServicesDep, caller: Admin, body: ApiClientIn, request: Request
) -> JSONResponse:
    client = await services.api_clients.create(
        caller.marketplace_id, body.domain_fields(), actor(caller)
    )
    location = str(request.url_for("get_api_client", apiClientID=client.id))
    return JSONResponse(api_client_out(client), 201, headers={"Location": location})


@router.get("/apiclients/assignments", response_model=models.ListPage[models.ApiClientAssignment])
async def list_api_client_assignments(
    services: ServicesDep, caller: Reader, request: Request
) -> JSONResponse:
    page, page_size = paging(request)
    rows, total = await services.api_clients.list_assignments(
        caller.marketplace_id,
        client_id=query_param(request, "apiClientID"),
        buyer_id=query_param(request, "buyerID"),
        supplier_id=query_param(request, "supplierID"),
        page=page,
        page_size=page_size,
    )
    items = [assignment_out(*row) for row in rows]
    return JSONResponse({"Meta": page_meta(page, page_size, total), "Items": items})


@router.post("/apiclients/assignments", status_code=204, responses=errors(404))
async def save_api_client_assignment(
    services: ServicesDep, caller: Admin, body: ApiClientAssignmentIn
) -> Response:
    await services.api_clients.save_assignment(
        caller.marketplace_id,
        body.ApiClientID,
        body.BuyerID,
        body.SupplierID,
        actor(caller),
    )
    return Response(status_code=204)


@router.get("/apiclients/{apiClientID}", name="get_api_client", response_model=models.ApiClient)
async def get_api_client(services: ServicesDep, caller: Reader, apiClientID: str) -> JSONResponse:
    client = await services.api_clients.get(caller.marketplace_id, apiClientID)
    return JSONResponse(api_client_out(client))


@router.put("/apiclients/{apiClientID}", response_model=models.ApiClient)
async def save_api_client(
    services: ServicesDep,
    caller: Admin,
    apiClientID: str,
    body: ApiClientIn,
) -> JSONResponse:
    client = await services.api_clients.replace(
        caller.marketplace_id, apiClientID, body.domain_fields(), actor(caller)
    )
    return JSONResponse(api_client_out(client))


@router.patch("/apiclients/{apiClientID}", response_model=models.ApiClient)
async def patch_api_client(
    services: ServicesDep,
    caller: Admin,
    apiClientID: str,
    body: ApiClientIn,
) -> JSONResponse:
    client = await services.api_clients.patch(
        caller.marketplace_id, apiClientID, body.domain_fields(), actor(caller)
    )
    return JSONResponse(api_client_out(client))


@router.delete("/apiclients/{apiClientID}", status_code=204, responses=errors(409))
async def delete_api_client(services: ServicesDep, caller: Admin, apiClientID: str) -> Response:
    await services.api_clients.delete(caller.marketplace_id, apiClientID, actor(caller))
    return Response(status_code=204)


@router.delete("/buyers/{buyerID}/ApiClients/Assignments/{apiClientID}", status_code=204)
async def delete_buyer_assignment(
    services: ServicesDep,
    caller: Admin,
    buyerID: str,
    apiClientID: str,
) -> Response:
    await services.api_clients.delete_assignment(
        caller.marketplace_id, apiClientID, buyerID, None, actor(caller)
    )
    return Response(status_code=204)


@router.delete("/suppliers/{supplierID}/ApiClients/Assignments/{apiClientID}", status_code=204)
async def delete_supplier_assignment(
    services: ServicesDep,
    caller: Admin,
    supplierID: str,
    apiClientID: str,
) -> Response:
    await services.api_clients.delete_assignment(
        caller.marketplace_id, apiClientID, None, supplierID, actor(caller)
    )
    return Response(status_code=204)
