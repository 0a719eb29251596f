"""``/v1/openidconnects`` and ``/v1/integrationEvents`` (ordercloud-sso.md §2.2, §4.1): seller
users only; OpenIDConnectReader/Admin and IntegrationEventReader/Admin."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from gatehouse.domain.listing import ListQuery
from gatehouse.domain.roles import ApiRole
from gatehouse.http.deps import Caller, RuntimeDep, ServicesDep, require
from gatehouse.http.listing import list_page, list_query
from gatehouse.http.openapi.errors import errors
from gatehouse.http.openapi.features import IntegrationEvent, OpenIdConnect
from gatehouse.http.openapi.models import page_of
from gatehouse.http.schemas.openid_connects import (
    EVENT_LIST_SPEC,
    OIDC_LIST_SPEC,
    IntegrationEventIn,
    OpenIdConnectIn,
    integration_event_out,
    openid_connect_out,
)
from gatehouse.runtime import Runtime
from gatehouse.services.openid_connects import OpenIdConnects
from gatehouse.services.registry import Services

router = APIRouter(prefix="/v1")
OidcReader = Annotated[
    Caller,
    Depends(require(ApiRole.OpenIDConnectReader, ApiRole.OpenIDConnectAdmin, seller_only=True)),
]
OidcAdmin = Annotated[Caller, Depends(require(ApiRole.OpenIDConnectAdmin, seller_only=True))]
EventReader = Annotated[
    Caller,
    Depends(
        require(ApiRole.IntegrationEventReader, ApiRole.IntegrationEventAdmin, seller_only=True)
    ),
]
EventAdmin = Annotated[Caller, Depends(require(ApiRole.IntegrationEventAdmin, seller_only=True))]
OidcQuery = Annotated[ListQuery, Depends(list_query(OIDC_LIST_SPEC))]
EventQuery = Annotated[ListQuery, Depends(list_query(EVENT_LIST_SPEC))]


def _configs(runtime: Runtime) -> OpenIdConnects:
    return OpenIdConnects(runtime.db, runtime.clock, runtime.secret_box)


@router.get("/openidconnects", response_model=page_of(OpenIdConnect), tags=["OpenIdConnects"])
async def list_openid_connects(
    runtime: RuntimeDep, caller: OidcReader, query: OidcQuery
) -> JSONResponse:
    found, total = await _configs(runtime).list_page(caller.marketplace_id, query)
    return JSONResponse(list_page([openid_connect_out(c) for c in found], query, total))


@router.post(
    "/openidconnects",
    status_code=201,
    response_model=OpenIdConnect,
    responses=errors(404, 409),
    tags=["OpenIdConnects"],
)
async def create_openid_connect(
    runtime: RuntimeDep, caller: OidcAdmin, body: OpenIdConnectIn, request: Request
) -> JSONResponse:
    config = await _configs(runtime).create(caller.marketplace_id, body.domain_fields())
    location = str(request.url_for("get_openid_connect", openidconnectID=config.id))
    return JSONResponse(openid_connect_out(config), 201, headers={"Location": location})


@router.get(
    "/openidconnects/{openidconnectID}",
    name="get_openid_connect",
    response_model=OpenIdConnect,
    tags=["OpenIdConnects"],
)
async def get_openid_connect(
    runtime: RuntimeDep, caller: OidcReader, openidconnectID: str
) -> JSONResponse:
    config = await _configs(runtime).get(caller.marketplace_id, openidconnectID)
    return JSONResponse(openid_connect_out(config))


@router.put(
    "/openidconnects/{openidconnectID}",
    response_model=OpenIdConnect,
    responses=errors(409),
    tags=["OpenIdConnects"],
)
async def save_openid_connect(
    runtime: RuntimeDep, caller: OidcAdmin, openidconnectID: str, body: OpenIdConnectIn
) -> JSONResponse:
    config = await _configs(runtime).save(
        caller.marketplace_id, openidconnectID, body.domain_fields(), partial=False
    )
    return JSONResponse(openid_connect_out(config))


@router.patch(
    "/openidconnects/{openidconnectID}",
    response_model=OpenIdConnect,
    responses=errors(409),
    tags=["OpenIdConnects"],
)
async def patch_openid_connect(
    runtime: RuntimeDep, caller: OidcAdmin, openidconnectID: str, body: OpenIdConnectIn
) -> JSONResponse:
    config = await _configs(runtime).save(
        caller.marketplace_id, openidconnectID, body.domain_fields(), partial=True
    )
    return JSONResponse(openid_connect_out(config))


@router.delete("/openidconnects/{openidconnectID}", status_code=204, tags=["OpenIdConnects"])
async def delete_openid_connect(
    runtime: RuntimeDep, caller: OidcAdmin, openidconnectID: str
) -> Response:
    await _configs(runtime).delete(caller.marketplace_id, openidconnectID)
    return Response(status_code=204)


@router.get(
    "/integrationEvents", response_model=page_of(IntegrationEvent), tags=["IntegrationEvents"]
)
async def list_integration_events(
    services: ServicesDep, caller: EventReader, query: EventQuery
) -> JSONResponse:
    found, total = await services.integration_events.list_events(caller.marketplace_id, query)
    return JSONResponse(list_page([integration_event_out(e) for e in found], query, total))


@router.post(
    "/integrationEvents",
    status_code=201,
    response_model=IntegrationEvent,
    responses=errors(409),
    tags=["IntegrationEvents"],
)
async def create_integration_event(
    services: ServicesDep, caller: EventAdmin, body: IntegrationEventIn, request: Request
) -> JSONResponse:
    event = await services.integration_events.create_event(
        caller.marketplace_id, body.domain_fields()
    )
    location = str(request.url_for("get_integration_event", integrationEventID=event.id))
    return JSONResponse(integration_event_out(event), 201, headers={"Location": location})


@router.get(
    "/integrationEvents/{integrationEventID}",
    name="get_integration_event",
    response_model=IntegrationEvent,
    tags=["IntegrationEvents"],
)
async def get_integration_event(
    services: ServicesDep, caller: EventReader, integrationEventID: str
) -> JSONResponse:
    event = await services.integration_events.get_event(caller.marketplace_id, integrationEventID)
    return JSONResponse(integration_event_out(event))


@router.put(
    "/integrationEvents/{integrationEventID}",
    response_model=IntegrationEvent,
    responses=errors(409),
    tags=["IntegrationEvents"],
)
async def save_integration_event(
    services: ServicesDep, caller: EventAdmin, integrationEventID: str, body: IntegrationEventIn
) -> JSONResponse:
    return await _save_event(services, caller, integrationEventID, body, partial=False)


@router.patch(
    "/integrationEvents/{integrationEventID}",
    response_model=IntegrationEvent,
    responses=errors(409),
    tags=["IntegrationEvents"],
)
async def patch_integration_event(
    services: ServicesDep, caller: EventAdmin, integrationEventID: str, body: IntegrationEventIn
) -> JSONResponse:
    return await _save_event(services, caller, integrationEventID, body, partial=True)


@router.delete(
    "/integrationEvents/{integrationEventID}",
    status_code=204,
    responses=errors(409),
    tags=["IntegrationEvents"],
)
async def delete_integration_event(
    services: ServicesDep, caller: EventAdmin, integrationEventID: str
) -> Response:
    await services.integration_events.delete_event(caller.marketplace_id, integrationEventID)
    return Response(status_code=204)


async def _save_event(
    services: Services, caller: Caller, event_id: str, body: IntegrationEventIn, *, partial: bool
) -> JSONResponse:
    """PUT (``partial=False``) and PATCH share one save: they differ only in absent fields."""
    event = await services.integration_events.save_event(
        caller.marketplace_id, event_id, body.domain_fields(), partial=partial
    )
    return JSONResponse(integration_event_out(event))
