"""``/v1/buyers`` and ``/v1/suppliers``: the Buyer and Supplier resources (spec §2.5; roles §5.4
BuyerAdmin/BuyerReader and SupplierAdmin/SupplierReader).

Reads are open to buyer (supplier) users for their own company only (another company is 404,
the list holds just theirs); writes are seller-only, since a company's existence and ``Active``
flag are how the seller decides who may log in.

The two share one set of handlers, as user groups do: the route says which company type it
serves (``company_type``) and each type's routes carry their own role checks.
"""

from __future__ import annotations

import functools
import inspect
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
    RuntimeDep,
    authenticate,
    require,
    require_company_access,
)
from gatehouse.http.listing import list_page, list_query
from gatehouse.http.openapi import models
from gatehouse.http.openapi.errors import errors
from gatehouse.http.schemas.companies import (
    BUYER_LIST_SPEC,
    SUPPLIER_LIST_SPEC,
    BuyerIn,
    SupplierIn,
    buyer_out,
    supplier_out,
)
from gatehouse.services import companies as service

router = APIRouter(prefix="/v1")
Handler = Callable[..., Awaitable[Response]]
CompanyIn = BuyerIn | SupplierIn


def buyer_id(buyerID: str) -> str:
    """The ``{buyerID}`` path parameter, as a route dependency of handlers shared by buyers and
    suppliers (they read the company from the path): FastAPI validates and documents it here."""
    return buyerID


def supplier_id(supplierID: str) -> str:
    """The ``{supplierID}`` path parameter; see ``buyer_id``."""
    return supplierID


@dataclass(frozen=True, slots=True)
class CompanyType:
    """One company type's routes: its wire format and the roles it needs."""

    kind: CompanyKind
    path_param: str
    path_dependency: Callable[[str], str]
    tag: str
    body: type[CompanyIn]
    out: Callable[[Company], dict[str, Any]]
    list_query: Callable[[Request], Awaitable[ListQuery]]
    admin: ApiRole
    reader: ApiRole
    model: type[models.WireOut]
    """The wire shape, for the OpenAPI document."""

    @property
    def collection(self) -> str:
        return f"{self.kind.value}s"

    @property
    def get_route(self) -> str:
        return f"get_{self.kind.value}"


BUYERS = CompanyType(
    CompanyKind.BUYER,
    "buyerID",
    buyer_id,
    "Buyers",
    BuyerIn,
    buyer_out,
    list_query(BUYER_LIST_SPEC),
    ApiRole.BuyerAdmin,
    ApiRole.BuyerReader,
    models.Buyer,
)
SUPPLIERS = CompanyType(
    CompanyKind.SUPPLIER,
    "supplierID",
    supplier_id,
    "Suppliers",
    SupplierIn,
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
    runtime: RuntimeDep, caller: CallerDep, company: CompanyTypeDep, query: Query
) -> JSONResponse:
    found, total = await service.list_page(
        runtime.db,
        caller.marketplace_id,
        company.kind,
        query,
        caller_type=caller.user_type,
        # Seller users see every company; others only their own (no query: from the token).
        caller_company=None if caller.user_type is UserType.ADMIN else caller.company_id,
    )
    return JSONResponse(list_page([company.out(c) for c in found], query, total))


async def create_company(
    runtime: RuntimeDep,
    caller: CallerDep,
    company: CompanyTypeDep,
    body: CompanyIn,
    request: Request,
) -> JSONResponse:
    created = await service.create(
        runtime.db, runtime.clock, caller.marketplace_id, company.kind, body.domain_fields()
    )
    location = str(request.url_for(company.get_route, **{company.path_param: created.id}))
    return JSONResponse(company.out(created), 201, headers={"Location": location})


async def get_company(
    runtime: RuntimeDep, caller: CallerDep, company: CompanyTypeDep, company_id: CompanyID
) -> JSONResponse:
    found = await service.get(runtime.db, caller.marketplace_id, company.kind, company_id)
    return JSONResponse(company.out(found))


async def save_company(
    runtime: RuntimeDep,
    caller: CallerDep,
    company: CompanyTypeDep,
    company_id: CompanyID,
    body: CompanyIn,
) -> JSONResponse:
    saved = await service.replace(
        runtime.db,
        runtime.clock,
        caller.marketplace_id,
        company.kind,
        company_id,
        body.domain_fields(),
    )
    return JSONResponse(company.out(saved))


async def patch_company(
    runtime: RuntimeDep,
    caller: CallerDep,
    company: CompanyTypeDep,
    company_id: CompanyID,
    body: CompanyIn,
) -> JSONResponse:
    patched = await service.patch(
        runtime.db, caller.marketplace_id, company.kind, company_id, body.domain_fields()
    )
    return JSONResponse(company.out(patched))


async def delete_company(
    runtime: RuntimeDep, caller: CallerDep, company: CompanyTypeDep, company_id: CompanyID
) -> Response:
    await service.delete(runtime.db, caller.marketplace_id, company.kind, company_id)
    return Response(status_code=204)


# (path, method, handler, route name, status, access, answers); the route name's ``{}`` is
# ``buyer`` or ``supplier``, a ``None`` status is FastAPI's default (200). Access: "list" (any
# caller with a reader role; buyer and supplier users see only their own company), "own" (a
# reader of that very company), "admin" (seller-only writes). Answers (for the OpenAPI
# document): "page", "one" or "none", and whether a conflict (409) is possible.
_ROUTES: tuple[tuple[str, str, Handler, str, int | None, str, str, bool], ...] = (
    ("", "GET", list_companies, "list_{}s", None, "list", "page", False),
    ("", "POST", create_company, "create_{}", 201, "admin", "one", True),
    ("/{id}", "GET", get_company, "get_{}", None, "own", "one", False),
    ("/{id}", "PUT", save_company, "save_{}", None, "admin", "one", True),
    ("/{id}", "PATCH", patch_company, "patch_{}", None, "admin", "one", True),
    ("/{id}", "DELETE", delete_company, "delete_{}", 204, "admin", "none", True),
)


def _with_body(handler: Handler, body: type[CompanyIn]) -> Handler:
    """``handler`` reading its request body as ``body``: FastAPI validates and documents the
    body from the endpoint's signature, and buyers and suppliers send different models."""
    signature = inspect.signature(handler, eval_str=True)
    if "body" not in signature.parameters:
        return handler

    @functools.wraps(handler)
    async def endpoint(**values: Any) -> Response:
        return await handler(**values)

    params = [
        param.replace(annotation=body) if param.name == "body" else param
        for param in signature.parameters.values()
    ]
    endpoint.__signature__ = signature.replace(parameters=params)  # type: ignore[attr-defined]
    return endpoint


def _mount(company: CompanyType) -> None:
    """Add one company type's six routes to ``router``.

    Routes are added to the one module router rather than to a nested router, because the
    case-insensitive path middleware and the route-table tests read ``router.routes``. The
    path dependency comes after the role check, as the handlers' own parameters used to.
    """
    checks = {
        "list": require(company.admin, company.reader),
        "own": require_company_access(
            company.admin,
            company.reader,
            company_type=UserType(company.kind.value),
            path_param=company.path_param,
        ),
        "admin": require(company.admin, seller_only=True),
    }
    answers = {"page": models.page_of(company.model), "one": company.model, "none": None}
    for path, method, handler, name, status, access, answer, conflicts in _ROUTES:
        dependencies = [Depends(checks[access])]
        if path:
            dependencies.append(Depends(company.path_dependency))
        router.add_api_route(
            f"/{company.collection}" + path.replace("id", company.path_param),
            _with_body(handler, company.body),
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
