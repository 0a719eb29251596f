"""User groups and their user assignments, for the seller (``/v1/usergroups``), a buyer
(``/v1/buyers/{buyerID}/usergroups``) and a supplier (``/v1/suppliers/{supplierID}/usergroups``).

The three share one set of handlers: the path says whose groups they are (``owner_scope``) and
each owner's routes carry their own role check (spec §5.4): AdminUserGroup* (seller-only),
UserGroup* and SupplierUserGroup* (within the caller's own company for buyer and supplier
users). Route-level dependencies run before the handler's, so a refused caller never reaches it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from gatehouse.domain.listing import ListQuery, page_meta
from gatehouse.domain.roles import ApiRole
from gatehouse.domain.users import UserType
from gatehouse.http.deps import Caller, ServicesDep, authenticate, require
from gatehouse.http.listing import list_page, list_query, paging, query_param
from gatehouse.http.openapi import models
from gatehouse.http.openapi.errors import errors
from gatehouse.http.routers._company_paths import (
    BUYER_PATH,
    COMPANY_PATHS,
    SUPPLIER_PATH,
    CompanyPath,
    RoleCheck,
)
from gatehouse.http.schemas.user_groups import (
    LIST_SPEC,
    UserGroupAssignmentIn,
    UserGroupIn,
    assignment_out,
    group_out,
)
from gatehouse.services.users import UserScope

router = APIRouter(prefix="/v1")


def owner_scope(request: Request) -> UserScope:
    """Whose groups the route works on, from its path: a buyer's, a supplier's, the seller's."""
    for company in COMPANY_PATHS:
        if company.path_param in request.path_params:
            return UserScope(company.user_type, str(request.path_params[company.path_param]))
    return UserScope(UserType.ADMIN)


# The role check has already authenticated the caller; FastAPI reuses that result.
CallerDep = Annotated[Caller, Depends(authenticate)]
ScopeDep = Annotated[UserScope, Depends(owner_scope)]
Query = Annotated[ListQuery, Depends(list_query(LIST_SPEC))]


def _get_route_name(scope: UserScope) -> str:
    return f"get_{scope.user_type.value}_user_group"


async def list_groups(
    services: ServicesDep, caller: CallerDep, scope: ScopeDep, query: Query
) -> JSONResponse:
    groups, total = await services.user_groups.list_page(caller.marketplace_id, scope, query)
    return JSONResponse(list_page([group_out(g) for g in groups], query, total))


async def create_group(
    services: ServicesDep, caller: CallerDep, scope: ScopeDep, body: UserGroupIn, request: Request
) -> JSONResponse:
    group = await services.user_groups.create(caller.marketplace_id, scope, body.domain_fields())
    params = {**request.path_params, "userGroupID": group.id}
    location = str(request.url_for(_get_route_name(scope), **params))
    return JSONResponse(group_out(group), 201, headers={"Location": location})


async def get_group(
    services: ServicesDep, caller: CallerDep, scope: ScopeDep, userGroupID: str
) -> JSONResponse:
    group = await services.user_groups.get(caller.marketplace_id, scope, userGroupID)
    return JSONResponse(group_out(group))


async def save_group(
    services: ServicesDep, caller: CallerDep, scope: ScopeDep, userGroupID: str, body: UserGroupIn
) -> JSONResponse:
    group = await services.user_groups.replace(
        caller.marketplace_id, scope, userGroupID, body.domain_fields()
    )
    return JSONResponse(group_out(group))


async def patch_group(
    services: ServicesDep, caller: CallerDep, scope: ScopeDep, userGroupID: str, body: UserGroupIn
) -> JSONResponse:
    group = await services.user_groups.patch(
        caller.marketplace_id, scope, userGroupID, body.domain_fields()
    )
    return JSONResponse(group_out(group))


async def delete_group(
    services: ServicesDep, caller: CallerDep, scope: ScopeDep, userGroupID: str
) -> Response:
    await services.user_groups.delete(caller.marketplace_id, scope, userGroupID)
    return Response(status_code=204)


async def list_assignments(
    services: ServicesDep, caller: CallerDep, scope: ScopeDep, request: Request
) -> JSONResponse:
    page, page_size = paging(request)
    params = {"userGroupID": "user_group_id", "userID": "user_id"}
    filters = {
        column: value
        for param, column in params.items()
        if (value := query_param(request, param)) is not None
    }
    pairs, total = await services.user_groups.list_members(
        caller.marketplace_id, scope, filters=filters, page=page, page_size=page_size
    )
    items = [assignment_out(*pair) for pair in pairs]
    return JSONResponse({"Meta": page_meta(page, page_size, total), "Items": items})


async def save_assignment(
    services: ServicesDep, caller: CallerDep, scope: ScopeDep, body: UserGroupAssignmentIn
) -> Response:
    await services.user_groups.save_member(
        caller.marketplace_id, scope, body.UserGroupID or "", body.UserID or ""
    )
    return Response(status_code=204)


async def delete_assignment(
    services: ServicesDep, caller: CallerDep, scope: ScopeDep, userGroupID: str, userID: str
) -> Response:
    await services.user_groups.delete_member(caller.marketplace_id, scope, userGroupID, userID)
    return Response(status_code=204)


# (path, method, handler, status, writes, answer). "assignments" precedes "{userGroupID}" so
# that a GET of the assignment list is not taken for a group called "assignments". The answer
# is the OpenAPI document's: the response model, and the route's own error statuses.
_GROUP = models.UserGroup
_ROUTES: tuple[
    tuple[
        str, str, Callable[..., Awaitable[Response]], int, bool, tuple[type | None, tuple[int, ...]]
    ],
    ...,
] = (
    ("/usergroups", "GET", list_groups, 200, False, (models.ListPage[_GROUP], ())),
    ("/usergroups", "POST", create_group, 201, True, (_GROUP, (409,))),
    (
        "/usergroups/assignments",
        "GET",
        list_assignments,
        200,
        False,
        (models.ListPage[models.UserGroupAssignment], ()),
    ),
    ("/usergroups/assignments", "POST", save_assignment, 204, True, (None, (404,))),
    ("/usergroups/{userGroupID}", "GET", get_group, 200, False, (_GROUP, ())),
    ("/usergroups/{userGroupID}", "PUT", save_group, 200, True, (_GROUP, (409,))),
    ("/usergroups/{userGroupID}", "PATCH", patch_group, 200, True, (_GROUP, (409,))),
    ("/usergroups/{userGroupID}", "DELETE", delete_group, 204, True, (None, ())),
    (
        "/usergroups/{userGroupID}/assignments/{userID}",
        "DELETE",
        delete_assignment,
        204,
        True,
        (None, ()),
    ),
)


def _mount(
    prefix: str,
    tag: str,
    owner: UserType,
    reader: RoleCheck,
    admin: RoleCheck,
    company: CompanyPath | None = None,
) -> None:
    """Add one owner's nine routes to ``router``; ``admin`` guards writes, ``reader`` reads.

    Routes are added to the one module router rather than to a nested router, because the
    case-insensitive path middleware and the route-table tests read ``router.routes``.
    """
    extra = {"parameters": [_path_parameter(company.path_param)]} if company else None
    for path, method, handler, status, writes, (model, statuses) in _ROUTES:
        route_name = f"{handler.__name__}_{owner.value}"
        if handler is get_group:
            route_name = _get_route_name(UserScope(owner))
        router.add_api_route(
            prefix + path,
            handler,
            methods=[method],
            status_code=status,
            name=route_name,
            tags=[tag],
            dependencies=[Depends(admin if writes else reader)],
            openapi_extra=extra,
            response_model=model,
            responses=errors(*statuses),
        )


def _path_parameter(name: str) -> dict[str, Any]:
    """The company path parameter is read by ``owner_scope``, not declared by the handlers,
    so the OpenAPI document is told about it here."""
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}


_mount(
    "",
    "AdminUserGroups",
    UserType.ADMIN,
    reader=require(ApiRole.AdminUserGroupAdmin, ApiRole.AdminUserGroupReader, seller_only=True),
    admin=require(ApiRole.AdminUserGroupAdmin, seller_only=True),
)
_mount(
    BUYER_PATH.prefix,
    "UserGroups",
    UserType.BUYER,
    reader=BUYER_PATH.check(ApiRole.UserGroupAdmin, ApiRole.UserGroupReader),
    admin=BUYER_PATH.check(ApiRole.UserGroupAdmin),
    company=BUYER_PATH,
)
_mount(
    SUPPLIER_PATH.prefix,
    "SupplierUserGroups",
    UserType.SUPPLIER,
    reader=SUPPLIER_PATH.check(ApiRole.SupplierUserGroupAdmin, ApiRole.SupplierUserGroupReader),
    admin=SUPPLIER_PATH.check(ApiRole.SupplierUserGroupAdmin),
    company=SUPPLIER_PATH,
)
