"""``/v1/buyers`` and ``/v1/suppliers``: the Buyer and Supplier resources (spec §2.5; roles §5.4
BuyerAdmin/BuyerReader and SupplierAdmin/SupplierReader).

Reads are open to buyer (supplier) users for their own company only (another company is 404,
the list holds just theirs); writes are seller-only, since a company's existence and ``Active``
flag are how the seller decides who may log in.

The two share one set of handlers, as user groups do: the route says which company type it
serves (``company_type``) and each type's routes carry their own role checks.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from gatehouse.domain.companies import Company, CompanyKind
from gatehouse.domain.listing import ListQuery
from gatehouse.domain.roles import ApiRole
from gatehouse.domain.users import UserType
from gatehouse.http.deps import (
    Caller,
    ServicesDep,
    authenticate,
    require,
)
from gatehouse.http.listing import list_page, list_query
from gatehouse.http.openapi import models
from gatehouse.http.openapi.errors import errors
from gatehouse.http.routers._company_paths import BUYER_PATH, SUPPLIER_PATH, CompanyPath
from gatehouse.http.schemas.companies import (
    BUYER_LIST_SPEC,
    SUPPLIER_LIST_SPEC,
    BuyerIn,
    SupplierIn,
    buyer_out,
    supplier_out,
)
from gatehouse.services.registry import Services

router = APIRouter(prefix="/v1")
Handler = Callable[..., Awaitable[Response]]
CompanyIn = BuyerIn | SupplierIn


@dataclass(frozen=True, slots=True)
class CompanyType:
    """One company type's routes: where they live, their wire format and the roles they need."""

    path: CompanyPath
    tag: str
    out: Callable[[Company], dict[str, Any]]
    list_query: Callable[[Request], Awaitable[ListQuery]]
    admin: ApiRole
    reader: ApiRole
    model: type[models.WireOut]
    """The wire shape, for the OpenAPI document."""

    @property
    def kind(self) -> CompanyKind:
        return self.path.kind

    @property
    def path_param(self) -> str:
        return self.path.path_param

    @property
    def collection(self) -> str:
        return self.path.collection

    @property
    def get_route(self) -> str:
        return f"get_{self.kind.value}"


BUYERS = CompanyType(
    BUYER_PATH,
    "Buyers",
    buyer_out,
    list_query(BUYER_LIST_SPEC),
    ApiRole.BuyerAdmin,
    ApiRole.BuyerReader,
    models.Buyer,
)
SUPPLIERS = CompanyType(
    SUPPLIER_PATH,
    "Suppliers",
    supplier_out,
    list_query(SUPPLIER_LIST_SPEC),
    ApiRole.SupplierAdmin,
    ApiRole.SupplierReader,
    models.Supplier,
)
_BY_COLLECTION = {company.collection: company for company in (BUYERS, SUPPLIERS)}


def company_type(request: Request) -> CompanyType:
    """Which company type the route serves, from its path template (``/v1/buyers…``)."""
    route = request.scope["route"]
    if not isinstance(route, APIRoute):
        raise TypeError(f"not an API route: {route!r}")
    return _BY_COLLECTION[route.path_format.split("/")[2]]


CompanyTypeDep = Annotated[CompanyType, Depends(company_type)]


async def company_query(request: Request, company: CompanyTypeDep) -> ListQuery:
    return await company.list_query(request)


def path_company_id(request: Request, company: CompanyTypeDep) -> str:
    return str(request.path_params[company.path_param])


# The role check has already authenticated the caller; FastAPI reuses that result.
CallerDep = Annotated[Caller, Depends(authenticate)]
Query = Annotated[ListQuery, Depends(company_query)]
CompanyID = Annotated[str, Depends(path_company_id)]


async def list_companies(
    services: ServicesDep, caller: CallerDep, company: CompanyTypeDep, query: Query
) -> JSONResponse:
    found, total = await services.companies.list_page(
        caller.marketplace_id,
        company.kind,
        query,
        caller_type=caller.user_type,
        # Seller users see every company; others only their own (no query: from the token).
        caller_company=None if caller.user_type is UserType.ADMIN else caller.company_id,
    )
    return JSONResponse(list_page([company.out(c) for c in found], query, total))


async def get_company(
    services: ServicesDep, caller: CallerDep, company: CompanyTypeDep, company_id: CompanyID
) -> JSONResponse:
    found = await services.companies.get(caller.marketplace_id, company.kind, company_id)
    return JSONResponse(company.out(found))


async def _create(
    services: Services, caller: Caller, company: CompanyType, body: CompanyIn, request: Request
) -> JSONResponse:
    created = await services.companies.create(
        caller.marketplace_id, company.kind, body.domain_fields()
    )
    location = str(request.url_for(company.get_route, **{company.path_param: created.id}))
    return JSONResponse(company.out(created), 201, headers={"Location": location})


async def _save(
    services: Services, caller: Caller, company: CompanyType, company_id: str, body: CompanyIn
) -> JSONResponse:
    saved = await services.companies.replace(
        caller.marketplace_id, company.kind, company_id, body.domain_fields()
    )
    return JSONResponse(company.out(saved))


async def _patch(
    services: Services, caller: Caller, company: CompanyType, company_id: str, body: CompanyIn
) -> JSONResponse:
    patched = await services.companies.patch(
        caller.marketplace_id, company.kind, company_id, body.domain_fields()
    )
    return JSONResponse(company.out(patched))


# The handlers that read a body are written out per company type: FastAPI validates and
# documents the body from the annotation, and buyers and suppliers send different models.
# NOTE: no docstrings here, they would become the operations' descriptions in the OpenAPI
# document.


async def create_buyer(
    services: ServicesDep, caller: CallerDep, body: BuyerIn, request: Request
) -> JSONResponse:
    return await _create(services, caller, BUYERS, body, request)


async def save_buyer(
    services: ServicesDep, caller: CallerDep, company_id: CompanyID, body: BuyerIn
) -> JSONResponse:
    return await _save(services, caller, BUYERS, company_id, body)


async def patch_buyer(
    services: ServicesDep, caller: CallerDep, company_id: CompanyID, body: BuyerIn
) -> JSONResponse:
    return await _patch(services, caller, BUYERS, company_id, body)


async def create_supplier(
    services: ServicesDep, caller: CallerDep, body: SupplierIn, request: Request
) -> JSONResponse:
    return await _create(services, caller, SUPPLIERS, body, request)


async def save_supplier(
    services: ServicesDep, caller: CallerDep, company_id: CompanyID, body: SupplierIn
) -> JSONResponse:
    return await _save(services, caller, SUPPLIERS, company_id, body)


async def patch_supplier(
    services: ServicesDep, caller: CallerDep, company_id: CompanyID, body: SupplierIn
) -> JSONResponse:
    return await _patch(services, caller, SUPPLIERS, company_id, body)


_OWN_HANDLERS: dict[CompanyKind, dict[str, Handler]] = {
    CompanyKind.BUYER: {"POST": create_buyer, "PUT": save_buyer, "PATCH": patch_buyer},
    CompanyKind.SUPPLIER: {"POST": create_supplier, "PUT": save_supplier, "PATCH": patch_supplier},
}


async def delete_company(
    services: ServicesDep, caller: CallerDep, company: CompanyTypeDep, company_id: CompanyID
) -> Response:
    await services.companies.delete(caller.marketplace_id, company.kind, company_id)
    return Response(status_code=204)


# (path, method, handler, route name, status, access, answers); a ``None`` handler is the
# company type's own (``_OWN_HANDLERS``: the routes with a body). The route name's ``{}`` is
# ``buyer`` or ``supplier``, a ``None`` status is FastAPI's default (200). Access: "list" (any
# caller with a reader role; buyer and supplier users see only their own company), "own" (a
# reader of that very company), "admin" (seller-only writes). Answers (for the OpenAPI
# document): "page", "one" or "none", and whether a conflict (409) is possible.
_ROUTES: tuple[tuple[str, str, Handler | None, str, int | None, str, str, bool], ...] = (
    ("", "GET", list_companies, "list_{}s", None, "list", "page", False),
    ("", "POST", None, "create_{}", 201, "admin", "one", True),
    ("/{id}", "GET", get_company, "get_{}", None, "own", "one", False),
    ("/{id}", "PUT", None, "save_{}", None, "admin", "one", True),
    ("/{id}", "PATCH", None, "patch_{}", None, "admin", "one", True),
    ("/{id}", "DELETE", delete_company, "delete_{}", 204, "admin", "none", True),
)


def _mount(company: CompanyType) -> None:
    """Add one company type's six routes to ``router``.

    Routes are added to the one module router rather than to a nested router, because the
    case-insensitive path middleware and the route-table tests read ``router.routes``. The
    path dependency comes after the role check, as the handlers' own parameters used to.
    """
    checks = {
        "list": require(company.admin, company.reader),
        "own": company.path.check(company.admin, company.reader),
        "admin": require(company.admin, seller_only=True),
    }
    answers = {"page": models.page_of(company.model), "one": company.model, "none": None}
    for path, method, handler, name, status, access, answer, conflicts in _ROUTES:
        dependencies = [Depends(checks[access])]
        if path:
            dependencies.append(Depends(company.path.path_dependency))
        router.add_api_route(
            f"/{company.collection}" + path.replace("{id}", f"{{{company.path_param}}}"),
            handler or _OWN_HANDLERS[company.kind][method],
            methods=[method],
            status_code=status,
            name=name.format(company.kind.value),
            tags=[company.tag],
            dependencies=dependencies,
            response_model=answers[answer],
            responses=errors(409) if conflicts else None,
        )


_mount(BUYERS)
_mount(SUPPLIERS)
