"""``/v1/buyers``: the Buyer resource (spec §2.5; roles §5.4 BuyerAdmin/BuyerReader).

Reads are open to buyer users for their own buyer only (another buyer is 404, the list holds
just theirs); writes are seller-only, since a company's existence and ``Active`` flag are how
the seller decides who may log in.
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
from gatehouse.http.schemas.companies import BUYER_LIST_SPEC, BuyerIn, buyer_out
from gatehouse.services import companies as service

router = APIRouter(prefix="/v1", tags=["Buyers"])
KIND = CompanyKind.BUYER
Reader = Annotated[Caller, Depends(require(ApiRole.BuyerAdmin, ApiRole.BuyerReader))]
OwnReader = Annotated[
    Caller,
    Depends(
        require_company_access(
            ApiRole.BuyerAdmin,
            ApiRole.BuyerReader,
            company_type=UserType.BUYER,
            path_param="buyerID",
        )
    ),
]
Admin = Annotated[Caller, Depends(require(ApiRole.BuyerAdmin, seller_only=True))]
Query = Annotated[ListQuery, Depends(list_query(BUYER_LIST_SPEC))]


@router.get("/buyers")
async def list_buyers(runtime: RuntimeDep, caller: Reader, query: Query) -> JSONResponse:
    buyers, total = await service.list_page(
        runtime.db,
        caller.marketplace_id,
        KIND,
        query,
        caller_type=caller.user_type,
        caller_company=await caller_company(runtime, caller),
    )
    return JSONResponse(list_page([buyer_out(b) for b in buyers], query, total))


@router.post("/buyers", status_code=201)
async def create_buyer(
    runtime: RuntimeDep, caller: Admin, body: BuyerIn, request: Request
) -> JSONResponse:
    buyer = await service.create(
        runtime.db, runtime.clock, caller.marketplace_id, KIND, body.domain_fields()
    )
    location = str(request.url_for("get_buyer", buyerID=buyer.id))
    return JSONResponse(buyer_out(buyer), 201, headers={"Location": location})


@router.get("/buyers/{buyerID}", name="get_buyer")
async def get_buyer(runtime: RuntimeDep, caller: OwnReader, buyerID: str) -> JSONResponse:
    buyer = await service.get(runtime.db, caller.marketplace_id, KIND, buyerID)
    return JSONResponse(buyer_out(buyer))


@router.put("/buyers/{buyerID}")
async def save_buyer(
    runtime: RuntimeDep, caller: Admin, buyerID: str, body: BuyerIn
) -> JSONResponse:
    buyer = await service.replace(
        runtime.db, runtime.clock, caller.marketplace_id, KIND, buyerID, body.domain_fields()
    )
    return JSONResponse(buyer_out(buyer))


@router.patch("/buyers/{buyerID}")
async def patch_buyer(
    runtime: RuntimeDep, caller: Admin, buyerID: str, body: BuyerIn
) -> JSONResponse:
    buyer = await service.patch(
        runtime.db, caller.marketplace_id, KIND, buyerID, body.domain_fields()
    )
    return JSONResponse(buyer_out(buyer))


@router.delete("/buyers/{buyerID}", status_code=204)
async def delete_buyer(runtime: RuntimeDep, caller: Admin, buyerID: str) -> Response:
    await service.delete(runtime.db, caller.marketplace_id, KIND, buyerID)
    return Response(status_code=204)
