"""``/v1/suppliers/{supplierID}/users``: a supplier's users (spec §5.4
SupplierUserAdmin/SupplierUserReader).

Supplier users may reach only their own supplier (``require_company_access``); usernames are
unique across every user type of the marketplace.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from gatehouse.domain.listing import ListQuery
from gatehouse.domain.roles import ApiRole
from gatehouse.domain.users import UserType
from gatehouse.http.deps import Caller, RuntimeDep, require_company_access
from gatehouse.http.listing import list_page, list_query
from gatehouse.http.schemas.users import LIST_SPEC, UserIn, user_out
from gatehouse.services import users as service
from gatehouse.services.users import UserScope

router = APIRouter(prefix="/v1", tags=["SupplierUsers"])
Reader = Annotated[
    Caller,
    Depends(
        require_company_access(
            ApiRole.SupplierUserAdmin,
            ApiRole.SupplierUserReader,
            company_type=UserType.SUPPLIER,
            path_param="supplierID",
        )
    ),
]
Admin = Annotated[
    Caller,
    Depends(
        require_company_access(
            ApiRole.SupplierUserAdmin, company_type=UserType.SUPPLIER, path_param="supplierID"
        )
    ),
]
Query = Annotated[ListQuery, Depends(list_query(LIST_SPEC))]


def supplier(supplier_id: str) -> UserScope:
    return UserScope(UserType.SUPPLIER, supplier_id)


@router.get("/suppliers/{supplierID}/users")
async def list_supplier_users(
    runtime: RuntimeDep, caller: Reader, supplierID: str, query: Query
) -> JSONResponse:
    views, total = await service.list_page(
        runtime.db, caller.marketplace_id, supplier(supplierID), query
    )
    items = [user_out(v, marketplace_id=caller.marketplace_id) for v in views]
    return JSONResponse(list_page(items, query, total))


@router.post("/suppliers/{supplierID}/users", status_code=201)
async def create_supplier_user(
    runtime: RuntimeDep, caller: Admin, supplierID: str, body: UserIn, request: Request
) -> JSONResponse:
    view = await service.create(
        runtime.db,
        runtime.hasher,
        runtime.clock,
        caller.marketplace_id,
        supplier(supplierID),
        body.domain_fields(),
    )
    location = str(request.url_for("get_supplier_user", supplierID=supplierID, userID=view.user.id))
    return JSONResponse(
        user_out(view, marketplace_id=caller.marketplace_id), 201, headers={"Location": location}
    )


@router.get("/suppliers/{supplierID}/users/{userID}", name="get_supplier_user")
async def get_supplier_user(
    runtime: RuntimeDep, caller: Reader, supplierID: str, userID: str
) -> JSONResponse:
    view = await service.get(runtime.db, caller.marketplace_id, supplier(supplierID), userID)
    return JSONResponse(user_out(view, marketplace_id=caller.marketplace_id))


@router.put("/suppliers/{supplierID}/users/{userID}")
async def save_supplier_user(
    runtime: RuntimeDep, caller: Admin, supplierID: str, userID: str, body: UserIn
) -> JSONResponse:
    view = await service.replace(
        runtime.db,
        runtime.hasher,
        runtime.clock,
        caller.marketplace_id,
        supplier(supplierID),
        userID,
        body.domain_fields(),
    )
    return JSONResponse(user_out(view, marketplace_id=caller.marketplace_id))


@router.patch("/suppliers/{supplierID}/users/{userID}")
async def patch_supplier_user(
    runtime: RuntimeDep, caller: Admin, supplierID: str, userID: str, body: UserIn
) -> JSONResponse:
    view = await service.patch(
        runtime.db,
        runtime.hasher,
        runtime.clock,
        caller.marketplace_id,
        supplier(supplierID),
        userID,
        body.domain_fields(),
    )
    return JSONResponse(user_out(view, marketplace_id=caller.marketplace_id))


@router.delete("/suppliers/{supplierID}/users/{userID}", status_code=204)
async def delete_supplier_user(
    runtime: RuntimeDep, caller: Admin, supplierID: str, userID: str
) -> Response:
    await service.delete(runtime.db, caller.marketplace_id, supplier(supplierID), userID)
    return Response(status_code=204)


@router.post("/suppliers/{supplierID}/users/{userID}/unlock", status_code=204)
async def unlock_supplier_user(
    runtime: RuntimeDep, caller: Admin, supplierID: str, userID: str
) -> Response:
    await service.unlock(runtime.db, caller.marketplace_id, supplier(supplierID), userID)
    return Response(status_code=204)
