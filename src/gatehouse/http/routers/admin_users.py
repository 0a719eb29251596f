"""``/v1/adminusers``: seller (admin) users (spec §5.4 AdminUserAdmin/AdminUserReader)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from gatehouse.domain.listing import ListQuery
from gatehouse.domain.roles import ApiRole
from gatehouse.domain.users import UserType
from gatehouse.http.deps import Caller, ServicesDep, actor, require
from gatehouse.http.direct import DirectRoute
from gatehouse.http.listing import list_page, list_query
from gatehouse.http.openapi import models
from gatehouse.http.openapi.errors import errors
from gatehouse.http.schemas.users import LIST_SPEC, UserIn, user_out
from gatehouse.services.users import UserScope

router = APIRouter(prefix="/v1", tags=["AdminUsers"])
Reader = Annotated[
    Caller, Depends(require(ApiRole.AdminUserAdmin, ApiRole.AdminUserReader, seller_only=True))
]
Admin = Annotated[Caller, Depends(require(ApiRole.AdminUserAdmin, seller_only=True))]
Query = Annotated[ListQuery, Depends(list_query(LIST_SPEC))]
ADMINS = UserScope(UserType.ADMIN)


async def list_admin_users(services: ServicesDep, caller: Reader, query: Query) -> JSONResponse:
    views, total = await services.users.list_page(caller.marketplace_id, ADMINS, query)
    items = [user_out(v, marketplace_id=caller.marketplace_id) for v in views]
    return JSONResponse(list_page(items, query, total))


router.add_api_route(
    "/adminusers",
    list_admin_users,
    methods=["GET"],
    response_model=models.ListPage[models.User],
    route_class_override=DirectRoute,
)


@router.post("/adminusers", status_code=201, response_model=models.User, responses=errors(409))
async def create_admin_user(
    services: ServicesDep, caller: Admin, body: UserIn, request: Request
) -> JSONResponse:
    view = await services.users.create(
        caller.marketplace_id,
        ADMINS,
        body.domain_fields(),
    )
    location = str(request.url_for("get_admin_user", userID=view.user.id))
    return JSONResponse(
        user_out(view, marketplace_id=caller.marketplace_id), 201, headers={"Location": location}
    )


@router.get("/adminusers/{userID}", name="get_admin_user", response_model=models.User)
async def get_admin_user(services: ServicesDep, caller: Reader, userID: str) -> JSONResponse:
    view = await services.users.get(caller.marketplace_id, ADMINS, userID)
    return JSONResponse(user_out(view, marketplace_id=caller.marketplace_id))


@router.put("/adminusers/{userID}", response_model=models.User, responses=errors(409))
async def save_admin_user(
    services: ServicesDep,
    caller: Admin,
    userID: str,
    body: UserIn,
) -> JSONResponse:
    view = await services.users.replace(
        caller.marketplace_id,
        ADMINS,
        userID,
        body.domain_fields(),
    )
    return JSONResponse(user_out(view, marketplace_id=caller.marketplace_id))


@router.patch("/adminusers/{userID}", response_model=models.User, responses=errors(409))
async def patch_admin_user(
    services: ServicesDep,
    caller: Admin,
    userID: str,
    body: UserIn,
) -> JSONResponse:
    view = await services.users.patch(
        caller.marketplace_id,
        ADMINS,
        userID,
        body.domain_fields(),
    )
    return JSONResponse(user_out(view, marketplace_id=caller.marketplace_id))


@router.delete("/adminusers/{userID}", status_code=204, responses=errors(409))
async def delete_admin_user(services: ServicesDep, caller: Admin, userID: str) -> Response:
    await services.users.delete(caller.marketplace_id, ADMINS, userID)
    return Response(status_code=204)


@router.post("/adminusers/{userID}/unlock", status_code=204)
async def unlock_admin_user(services: ServicesDep, caller: Admin, userID: str) -> Response:
    await services.users.unlock(caller.marketplace_id, ADMINS, userID, actor(caller))
    return Response(status_code=204)
