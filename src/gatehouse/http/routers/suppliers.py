"""``/v1/suppliers``: the Supplier resource (spec §2.5; roles §5.4 SupplierAdmin/SupplierReader).

Reads are open to supplier users for their own supplier only (another supplier is 404, the
list holds just theirs); writes are seller-only, since a company's existence and ``Active``
flag are how the seller decides who may log in.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from gatehouse.domain.companies import CompanyKind
from gatehouse.domain.listing import ListQuery
from gatehouse.domain.roles import ApiRole
from gatehouse.domain.users import UserType
from gatehouse.http.deps import Caller, RuntimeDep, caller_company, require, require_company_access
from gatehouse.http.listing import list_page, list_query
from gatehouse.http.schemas.companies import SUPPLIER_LIST_SPEC, SupplierIn, supplier_out
from gatehouse.services import companies as service

router = APIRouter(prefix="/v1", tags=["Suppliers"])
KIND = CompanyKind.SUPPLIER
Reader = Annotated[Caller, Depends(require(ApiRole.SupplierAdmin, ApiRole.SupplierReader))]
OwnReader = Annotated[
    Caller,
    Depends(
        require_company_access(
            ApiRole.SupplierAdmin,
            ApiRole.SupplierReader,
            company_type=UserType.SUPPLIER,
            path_param="supplierID",
        )
    ),
]
Admin = Annotated[Caller, Depends(require(ApiRole.SupplierAdmin, seller_only=True))]
Query = Annotated[ListQuery, Depends(list_query(SUPPLIER_LIST_SPEC))]


@router.get("/suppliers")
async def list_suppliers(runtime: RuntimeDep, caller: Reader, query: Query) -> JSONResponse:
    suppliers, total = await service.list_page(
        runtime.db,
        caller.marketplace_id,
        KIND,
        query,
        caller_type=caller.user_type,
        caller_company=await caller_company(runtime, caller),
    )
    return JSONResponse(list_page([supplier_out(s) for s in suppliers], query, total))


@router.post("/suppliers", status_code=201)
async def create_supplier(
    runtime: RuntimeDep, caller: Admin, body: SupplierIn, request: Request
) -> JSONResponse:
    supplier = await service.create(
        runtime.db, runtime.clock, caller.marketplace_id, KIND, body.domain_fields()
    )
    location = str(request.url_for("get_supplier", supplierID=supplier.id))
    return JSONResponse(supplier_out(supplier), 201, headers={"Location": location})


@router.get("/suppliers/{supplierID}", name="get_supplier")
async def get_supplier(runtime: RuntimeDep, caller: OwnReader, supplierID: str) -> JSONResponse:
    supplier = await service.get(runtime.db, caller.marketplace_id, KIND, supplierID)
    return JSONResponse(supplier_out(supplier))


@router.put("/suppliers/{supplierID}")
async def save_supplier(
    runtime: RuntimeDep, caller: Admin, supplierID: str, body: SupplierIn
) -> JSONResponse:
    supplier = await service.replace(
        runtime.db, runtime.clock, caller.marketplace_id, KIND, supplierID, body.domain_fields()
    )
    return JSONResponse(supplier_out(supplier))


@router.patch("/suppliers/{supplierID}")
async def patch_supplier(
    runtime: RuntimeDep, caller: Admin, supplierID: str, body: SupplierIn
) -> JSONResponse:
    supplier = await service.patch(
        runtime.db, caller.marketplace_id, KIND, supplierID, body.domain_fields()
    )
    return JSONResponse(supplier_out(supplier))


@router.delete("/suppliers/{supplierID}", status_code=204)
async def delete_supplier(runtime: RuntimeDep, caller: Admin, supplierID: str) -> Response:
    await service.delete(runtime.db, caller.marketplace_id, KIND, supplierID)
    return Response(status_code=204)
