"""``GET/PUT /gatehouse/apiclients/{clientID}/origins``: a client's allowed browser origins
(Gatehouse's own, docs/behaviour.md "Browsers and CORS").

A sub-resource rather than an ApiClient field: OrderCloud's SDKs PUT the whole ApiClient they
know, and a field they do not know would be wiped by every such PUT. Seller-only; reading
needs ApiClientAdmin or ApiClientReader, writing ApiClientAdmin (FullAccess passes both).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from gatehouse.domain.roles import ApiRole
from gatehouse.http.deps import Caller, ServicesDep, actor, require
from gatehouse.http.openapi.features import AllowedOrigins
from gatehouse.http.schemas.api_client_origins import AllowedOriginsIn

router = APIRouter(prefix="/gatehouse", tags=["ApiClient origins"])
Reader = Annotated[
    Caller, Depends(require(ApiRole.ApiClientAdmin, ApiRole.ApiClientReader, seller_only=True))
]
Admin = Annotated[Caller, Depends(require(ApiRole.ApiClientAdmin, seller_only=True))]


def _out(origins: tuple[str, ...]) -> JSONResponse:
    return JSONResponse({"AllowedOrigins": list(origins)})


@router.get("/apiclients/{clientID}/origins", response_model=AllowedOrigins)
async def get_origins(services: ServicesDep, caller: Reader, clientID: str) -> JSONResponse:
    return _out(await services.api_client_origins.get(caller.marketplace_id, clientID))


@router.put("/apiclients/{clientID}/origins", response_model=AllowedOrigins)
async def put_origins(
    services: ServicesDep, caller: Admin, clientID: str, body: AllowedOriginsIn
) -> JSONResponse:
    origins = await services.api_client_origins.put(
        caller.marketplace_id, clientID, body.AllowedOrigins, actor(caller)
    )
    return _out(origins)
