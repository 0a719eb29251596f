"""``/v1/apiclients/{apiClientID}/secrets``: named client secrets (spec §1.2, §2.2).
Seller-only; reading needs ApiClientAdmin or ApiClientReader, writing ApiClientAdmin. There
is no PUT, as in OrderCloud."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from gatehouse.domain.listing import ListQuery
from gatehouse.domain.roles import ApiRole
from gatehouse.http.deps import Caller, ServicesDep, actor, require
from gatehouse.http.listing import list_page, list_query
from gatehouse.http.openapi import models
from gatehouse.http.openapi.errors import errors
from gatehouse.http.schemas.api_client_secrets import (
    LIST_SPEC,
    ApiClientSecretIn,
    created_out,
    secret_out,
)

router = APIRouter(prefix="/v1/apiclients/{apiClientID}/secrets", tags=["ApiClientSecrets"])
Reader = Annotated[
    Caller, Depends(require(ApiRole.ApiClientAdmin, ApiRole.ApiClientReader, seller_only=True))
]
Admin = Annotated[Caller, Depends(require(ApiRole.ApiClientAdmin, seller_only=True))]
Query = Annotated[ListQuery, Depends(list_query(LIST_SPEC))]


@router.get("", response_model=models.ListPage[models.ApiClientSecret])
async def list_secrets(
    services: ServicesDep, caller: Reader, apiClientID: str, query: Query
) -> JSONResponse:
    found, total = await services.api_client_secrets.list_page(
        caller.marketplace_id, apiClientID, query
    )
    return JSONResponse(list_page([secret_out(s) for s in found], query, total))


@router.post(
    "",
    status_code=201,
    response_model=models.ApiClientSecretCreateResponse,
    responses=errors(409),
)
async def create_secret(
    services: ServicesDep,
    caller: Admin,
    apiClientID: str,
    body: ApiClientSecretIn,
    request: Request,
) -> JSONResponse:
    created = await services.api_client_secrets.create(
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
    services: ServicesDep, caller: Reader, apiClientID: str, apiClientSecretID: str
) -> JSONResponse:
    secret = await services.api_client_secrets.get(
        caller.marketplace_id, apiClientID, apiClientSecretID
    )
    return JSONResponse(secret_out(secret))


@router.patch("/{apiClientSecretID}", response_model=models.ApiClientSecret, responses=errors(409))
async def patch_secret(
    services: ServicesDep,
    caller: Admin,
    apiClientID: str,
    apiClientSecretID: str,
    body: ApiClientSecretIn,
) -> JSONResponse:
    secret = await services.api_client_secrets.patch(
        caller.marketplace_id,
        apiClientID,
        apiClientSecretID,
        body.domain_fields(),
        actor(caller),
    )
    return JSONResponse(secret_out(secret))


@router.delete("/{apiClientSecretID}", status_code=204)
async def delete_secret(
    services: ServicesDep, caller: Admin, apiClientID: str, apiClientSecretID: str
) -> Response:
    await services.api_client_secrets.delete(
        caller.marketplace_id, apiClientID, apiClientSecretID, actor(caller)
    )
    return Response(status_code=204)
