"""A buyer's users (``/v1/buyers/{buyerID}/users``, spec §5.4 BuyerUserAdmin/BuyerUserReader)
and a supplier's (``/v1/suppliers/{supplierID}/users``, SupplierUserAdmin/SupplierUserReader).

The two share one set of handlers, as user groups do: the path says whose users they are
(``company_scope``) and each company type's routes carry their own role check. Buyer and
supplier users may reach only their own company (``require_company_access``); usernames are
unique across every user type of the marketplace.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from gatehouse.domain.listing import ListQuery
from gatehouse.domain.roles import ApiRole
from gatehouse.domain.users import UserType
from gatehouse.http.deps import Caller, ServicesDep, actor, authenticate, require_company_access
from gatehouse.http.direct import DirectRoute
from gatehouse.http.listing import list_page, list_query
from gatehouse.http.openapi import models
from gatehouse.http.openapi.errors import errors
from gatehouse.http.routers._company_paths import buyer_id, supplier_id
from gatehouse.http.schemas.users import LIST_SPEC, UserIn, user_out
from gatehouse.services.users import UserScope

router = APIRouter(prefix="/v1")
Handler = Callable[..., Awaitable[Response]]


@dataclass(frozen=True, slots=True)
class CompanyUsers:
    """One company type's user routes: where they live and which roles they need."""

    user_type: UserType
    path_param: str
    path_dependency: Callable[[str], Awaitable[str]]
    tag: str
    admin: ApiRole
    reader: ApiRole

    def check(self, *roles: ApiRole) -> Callable[..., Awaitable[Caller]]:
        return require_company_access(
            *roles, company_type=self.user_type, path_param=self.path_param
        )


BUYER_USERS = CompanyUsers(
    UserType.BUYER, "buyerID", buyer_id, "Users", ApiRole.BuyerUserAdmin, ApiRole.BuyerUserReader
)
SUPPLIER_USERS = CompanyUsers(
    UserType.SUPPLIER,
    "supplierID",
    supplier_id,
    "SupplierUsers",
    ApiRole.SupplierUserAdmin,
    ApiRole.SupplierUserReader,
)


async def company_scope(request: Request) -> UserScope:
    """Whose users the route works on, from its path: a buyer's or a supplier's."""
    for company in (BUYER_USERS, SUPPLIER_USERS):
        if company.path_param in request.path_params:
            return UserScope(company.user_type, str(request.path_params[company.path_param]))
    raise LookupError(f"no company in {request.url.path}")


async def user_id(userID: str) -> str:
    """``{userID}``, taken as a dependency rather than a handler parameter so that, like
    ``{buyerID}`` (a route dependency), the OpenAPI document lists it in path order."""
    return userID


# The role check has already authenticated the caller; FastAPI reuses that result.
CallerDep = Annotated[Caller, Depends(authenticate)]
ScopeDep = Annotated[UserScope, Depends(company_scope)]
UserID = Annotated[str, Depends(user_id)]
Query = Annotated[ListQuery, Depends(list_query(LIST_SPEC))]


def _route_name(handler: Handler, user_type: UserType) -> str:
    """``get_user`` serving buyers is ``get_buyer_user`` (``list_users``: ``list_buyer_users``)."""
    return handler.__name__.replace("_user", f"_{user_type.value}_user", 1)


async def list_users(
    services: ServicesDep, caller: CallerDep, scope: ScopeDep, query: Query
) -> JSONResponse:
    views, total = await services.users.list_page(caller.marketplace_id, scope, query)
    items = [user_out(v, marketplace_id=caller.marketplace_id) for v in views]
    return JSONResponse(list_page(items, query, total))


async def create_user(
    services: ServicesDep, caller: CallerDep, scope: ScopeDep, body: UserIn, request: Request
) -> JSONResponse:
    view = await services.users.create(
        caller.marketplace_id,
        scope,
        body.domain_fields(),
    )
    params = {**request.path_params, "userID": view.user.id}
    location = str(request.url_for(_route_name(get_user, scope.user_type), **params))
    return JSONResponse(
        user_out(view, marketplace_id=caller.marketplace_id), 201, headers={"Location": location}
    )


async def get_user(
    services: ServicesDep, caller: CallerDep, scope: ScopeDep, userID: UserID
) -> JSONResponse:
    view = await services.users.get(caller.marketplace_id, scope, userID)
    return JSONResponse(user_out(view, marketplace_id=caller.marketplace_id))


async def save_user(
    services: ServicesDep, caller: CallerDep, scope: ScopeDep, userID: UserID, body: UserIn
) -> JSONResponse:
    view = await services.users.replace(
        caller.marketplace_id,
        scope,
        userID,
        body.domain_fields(),
    )
    return JSONResponse(user_out(view, marketplace_id=caller.marketplace_id))


async def patch_user(
    services: ServicesDep, caller: CallerDep, scope: ScopeDep, userID: UserID, body: UserIn
) -> JSONResponse:
    view = await services.users.patch(
        caller.marketplace_id,
        scope,
        userID,
        body.domain_fields(),
    )
    return JSONResponse(user_out(view, marketplace_id=caller.marketplace_id))


async def delete_user(
    services: ServicesDep, caller: CallerDep, scope: ScopeDep, userID: UserID
) -> Response:
    await services.users.delete(caller.marketplace_id, scope, userID)
    return Response(status_code=204)


async def unlock_user(
    services: ServicesDep, caller: CallerDep, scope: ScopeDep, userID: UserID
) -> Response:
    await services.users.unlock(caller.marketplace_id, scope, userID, actor(caller))
    return Response(status_code=204)


# (path, method, handler, status, writes, answer); a ``None`` status is FastAPI's default
# (200). The answer is the OpenAPI document's: the response model, and whether the route can
# answer 409 (a duplicate ID or username, a user who still owns orders).
_PAGE = models.ListPage[models.User]
_ROUTES: tuple[tuple[str, str, Handler, int | None, bool, tuple[type | None, bool]], ...] = (
    ("/users", "GET", list_users, None, False, (_PAGE, False)),
    ("/users", "POST", create_user, 201, True, (models.User, True)),
    ("/users/{userID}", "GET", get_user, None, False, (models.User, False)),
    ("/users/{userID}", "PUT", save_user, None, True, (models.User, True)),
    ("/users/{userID}", "PATCH", patch_user, None, True, (models.User, True)),
    ("/users/{userID}", "DELETE", delete_user, 204, True, (None, True)),
    ("/users/{userID}/unlock", "POST", unlock_user, 204, True, (None, False)),
)


def _mount(company: CompanyUsers) -> None:
    """Add one company type's seven routes to ``router``; its admin role guards writes.

    Routes are added to the one module router rather than to a nested router, because the
    case-insensitive path middleware and the route-table tests read ``router.routes``. The
    path dependency comes after the role check, as the handlers' own parameters used to.
    """
    reader = company.check(company.admin, company.reader)
    admin = company.check(company.admin)
    prefix = f"/{company.user_type.value}s/{{{company.path_param}}}"
    for path, method, handler, status, writes, (model, conflicts) in _ROUTES:
        router.add_api_route(
            prefix + path,
            handler,
            methods=[method],
            status_code=status,
            name=_route_name(handler, company.user_type),
            tags=[company.tag],
            dependencies=[Depends(admin if writes else reader), Depends(company.path_dependency)],
            response_model=model,
            responses=errors(409) if conflicts else None,
            route_class_override=DirectRoute if handler is list_users else None,
        )


_mount(BUYER_USERS)
_mount(SUPPLIER_USERS)
