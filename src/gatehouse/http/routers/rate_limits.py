"""Rate limit configuration (Gatehouse's own, docs/operations.md "Rate limits"):

- ``GET/PUT/DELETE /gatehouse/apiclients/{clientID}/ratelimits``: one client's limits. GET
  answers the limits that apply and their ``Source`` (``ApiClient`` or ``Marketplace``);
  DELETE returns the client to the marketplace default.
- ``GET/PUT /gatehouse/ratelimits``: the marketplace default.

Seller-only; reading needs ApiClientAdmin or ApiClientReader, writing ApiClientAdmin
(FullAccess passes both).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response
from fastapi.responses import JSONResponse

from gatehouse.domain.roles import ApiRole
from gatehouse.http.deps import Caller, ServicesDep, require
from gatehouse.http.openapi.operations import ClientRateLimits, RateLimits
from gatehouse.http.schemas.rate_limits import RateLimitsIn, limits_out
from gatehouse.services import rate_limits as service

router = APIRouter(prefix="/gatehouse", tags=["Rate limits"])
Reader = Annotated[
    Caller, Depends(require(ApiRole.ApiClientAdmin, ApiRole.ApiClientReader, seller_only=True))
]
Admin = Annotated[Caller, Depends(require(ApiRole.ApiClientAdmin, seller_only=True))]


def _client_out(view: service.ClientLimitsView) -> JSONResponse:
    return JSONResponse({**limits_out(view.limits), "Source": view.source})


@router.get("/apiclients/{clientID}/ratelimits", response_model=ClientRateLimits)
async def get_client_limits(services: ServicesDep, caller: Reader, clientID: str) -> JSONResponse:
    return _client_out(await services.rate_limits.get_client(caller.marketplace_id, clientID))


@router.put("/apiclients/{clientID}/ratelimits", response_model=ClientRateLimits)
async def put_client_limits(
    services: ServicesDep, caller: Admin, clientID: str, body: RateLimitsIn
) -> JSONResponse:
    view = await services.rate_limits.put_client(caller.marketplace_id, clientID, body.domain())
    return _client_out(view)


@router.delete("/apiclients/{clientID}/ratelimits", status_code=204)
async def delete_client_limits(services: ServicesDep, caller: Admin, clientID: str) -> Response:
    await services.rate_limits.delete_client(caller.marketplace_id, clientID)
    return Response(status_code=204)


@router.get("/ratelimits", response_model=RateLimits)
async def get_marketplace_limits(services: ServicesDep, caller: Reader) -> JSONResponse:
    return JSONResponse(
        limits_out(await services.rate_limits.get_marketplace(caller.marketplace_id))
    )


@router.put("/ratelimits", response_model=RateLimits)
async def put_marketplace_limits(
    services: ServicesDep, caller: Admin, body: RateLimitsIn
) -> JSONResponse:
    limits = await services.rate_limits.put_marketplace(caller.marketplace_id, body.domain())
    return JSONResponse(limits_out(limits))
