"""``/v1/apiclients/{apiClientID}/secrets``: named client secrets (spec §1.2, §2.2).
Seller-only; reading needs ApiClientAdmin or ApiClientReader, writing ApiClientAdmin. There
is no PUT, as in OrderCloud."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from gatehouse.domain.listing import ListQuery
from gatehouse.domain.roles import ApiRole
from gatehouse.http.deps import Caller, RuntimeDep, actor, require
from gatehouse.http.listing import list_page, list_query
from gatehouse.http.openapi import models
from gatehouse.http.openapi.errors import errors
from gatehouse.http.schemas.api_client_secrets import (
    LIST_SPEC,
    ApiClientSecretIn,
    created_out,
    secret_out,
)
from gatehouse.services import api_client_secrets as service

router = APIRouter(prefix="/v1/apiclients/{apiClientID}/secrets", tags=["ApiClientSecrets"])
Reader = Annotated[
    Caller, Depends(require(ApiRole.ApiClientAdmin, ApiRole.ApiClientReader, seller_only=True))
]
Admin = Annotated[Caller, Depends(require(ApiRole.ApiClientAdmin, seller_only=True))]
Query = Annotated[ListQuery, Depends(list_query(LIST_SPEC))]


@router.get("", response_model=models.ListPage[models.ApiClientSecret])
async def list_secrets(
    runtime: RuntimeDep, caller: Reader, apiClientID: str, query: Query
) -> JSONResponse:
    found, total = await service.list_page(runtime.db, caller.marketplace_id, apiClientID, query)
    return JSONResponse(list_page([secret_out(s) for s in found], query, total))


@router.post(
    "",
    status_code=201,
    response_model=models.ApiClientSecretCreateResponse,
    responses=errors(409),
)
async def create_secret(
    runtime: RuntimeDep, caller: Admin, apiClientID: str, body: ApiClientSecretIn, request: Request
) -> JSONResponse:
    created = await service.create(
        runtime.db,
        runtime.clock,
        caller.marketplace_id,
        apiClientID,
        body.domain_fields(),
        actor(caller),
    )
    location = str(
        request.url_for(
            "get_api_client_secret", apiClientID=apiClientID, apiClientSecretID=created.secret.id
        )
    )
    return JSONResponse(created_out(created), 201, headers={"Location": location})


@router.get(
    "/{apiClientSecretID}", name="get_api_client_secret", response_model=models.ApiClientSecret
)
async def get_secret(
    runtime: RuntimeDep, caller: Reader, apiClientID: str, apiClientSecretID: str
) -> JSONResponse:
    secret = await service.get(runtime.db, caller.marketplace_id, apiClientID, apiClientSecretID)
    return JSONResponse(secret_out(secret))


@router.patch("/{apiClientSecretID}", response_model=models.ApiClientSecret, responses=errors(409))
async def patch_secret(
    runtime: RuntimeDep,
    caller: Admin,
    apiClientID: str,
    apiClientSecretID: str,
    body: ApiClientSecretIn,
) -> JSONResponse:
    secret = await service.patch(
        runtime.db,
        runtime.clock,
        caller.marketplace_id,
        apiClientID,
        apiClientSecretID,
        body.domain_fields(),
        actor(caller),
    )
    return JSONResponse(secret_out(secret))


@router.delete("/{apiClientSecretID}", status_code=204)
async def delete_secret(
    runtime: RuntimeDep, caller: Admin, apiClientID: str, apiClientSecretID: str
) -> Response:
    await service.delete(
        runtime.db, caller.marketplace_id, apiClientID, apiClientSecretID, actor(caller)
    )
    return Response(status_code=204)
