"""``/v1/impersonationconfig`` (seller-only; FullAccess or SetSecurityProfile, spec §5.4) and
``POST /v1/buyers/{buyerID}/users/{userID}/accesstoken`` (BuyerImpersonation, spec §3.10).

The token route has no company boundary: since OrderCloud v66 a buyer user may impersonate
users of other buyers when a config allows it, so whom a caller may reach is decided by the
configs, not by the caller's company.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from gatehouse.domain.impersonation import parse_token_request
from gatehouse.domain.listing import ListQuery
from gatehouse.domain.roles import ApiRole
from gatehouse.http.deps import Caller, RuntimeDep, ServicesDep, require
from gatehouse.http.listing import list_page, list_query
from gatehouse.http.openapi import models
from gatehouse.http.openapi.errors import errors
from gatehouse.http.schemas.impersonation import (
    LIST_SPEC,
    ImpersonateTokenRequestIn,
    ImpersonationConfigIn,
    config_out,
)
from gatehouse.oauth.grants.base import GrantContext
from gatehouse.services import impersonation

router = APIRouter(prefix="/v1")
Admin = Annotated[Caller, Depends(require(ApiRole.SetSecurityProfile, seller_only=True))]
Impersonating = Annotated[Caller, Depends(require(ApiRole.BuyerImpersonation))]
Query = Annotated[ListQuery, Depends(list_query(LIST_SPEC))]


@router.get(
    "/impersonationconfig",
    tags=["ImpersonationConfigs"],
    response_model=models.ListPage[models.ImpersonationConfig],
)
async def list_impersonation_configs(
    services: ServicesDep, caller: Admin, query: Query
) -> JSONResponse:
    configs, total = await services.impersonation_configs.list_page(caller.marketplace_id, query)
    return JSONResponse(list_page([config_out(c) for c in configs], query, total))


@router.post(
    "/impersonationconfig",
    status_code=201,
    tags=["ImpersonationConfigs"],
    response_model=models.ImpersonationConfig,
    responses=errors(404, 409),
)
async def create_impersonation_config(
    services: ServicesDep, caller: Admin, body: ImpersonationConfigIn, request: Request
) -> JSONResponse:
    config = await services.impersonation_configs.create(
        caller.marketplace_id, body.domain_fields()
    )
    location = str(request.url_for("get_impersonation_config", impersonationConfigID=config.id))
    return JSONResponse(config_out(config), 201, headers={"Location": location})


@router.get(
    "/impersonationconfig/{impersonationConfigID}",
    name="get_impersonation_config",
    tags=["ImpersonationConfigs"],
    response_model=models.ImpersonationConfig,
)
async def get_impersonation_config(
    services: ServicesDep, caller: Admin, impersonationConfigID: str
) -> JSONResponse:
    config = await services.impersonation_configs.get(caller.marketplace_id, impersonationConfigID)
    return JSONResponse(config_out(config))


@router.put(
    "/impersonationconfig/{impersonationConfigID}",
    tags=["ImpersonationConfigs"],
    response_model=models.ImpersonationConfig,
    responses=errors(409),
)
async def save_impersonation_config(
    services: ServicesDep, caller: Admin, impersonationConfigID: str, body: ImpersonationConfigIn
) -> JSONResponse:
    config = await services.impersonation_configs.replace(
        caller.marketplace_id,
        impersonationConfigID,
        body.domain_fields(),
    )
    return JSONResponse(config_out(config))


@router.patch(
    "/impersonationconfig/{impersonationConfigID}",
    tags=["ImpersonationConfigs"],
    response_model=models.ImpersonationConfig,
    responses=errors(409),
)
async def patch_impersonation_config(
    services: ServicesDep, caller: Admin, impersonationConfigID: str, body: ImpersonationConfigIn
) -> JSONResponse:
    config = await services.impersonation_configs.patch(
        caller.marketplace_id, impersonationConfigID, body.domain_fields()
    )
    return JSONResponse(config_out(config))


@router.delete(
    "/impersonationconfig/{impersonationConfigID}", status_code=204, tags=["ImpersonationConfigs"]
)
async def delete_impersonation_config(
    services: ServicesDep, caller: Admin, impersonationConfigID: str
) -> Response:
    await services.impersonation_configs.delete(caller.marketplace_id, impersonationConfigID)
    return Response(status_code=204)


@router.post(
    "/buyers/{buyerID}/users/{userID}/accesstoken",
    tags=["Users"],
    response_model=models.AccessToken,
)
async def get_impersonation_token(
    runtime: RuntimeDep,
    services: ServicesDep,
    caller: Impersonating,
    buyerID: str,
    userID: str,
    body: ImpersonateTokenRequestIn,
) -> JSONResponse:
    token_request = parse_token_request(body.ClientID, body.Roles, body.CustomRoles)
    ctx = GrantContext(runtime.codec, runtime.clock, runtime.settings.effective_base_url)
    who = impersonation.Impersonator(
        caller.marketplace_id, caller.internal_user_id, "imp" in caller.claims
    )
    token = await services.impersonation.access_token(ctx, who, buyerID, userID, token_request)
    return JSONResponse(token, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})
