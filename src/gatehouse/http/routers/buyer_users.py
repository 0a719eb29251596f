"""``/v1/buyers/{buyerID}/users``: a buyer's users (spec §5.4 BuyerUserAdmin/BuyerUserReader).

Buyer users may reach only their own buyer (``require_company_access``); usernames are unique
across every user type of the marketplace.
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

router = APIRouter(prefix="/v1", tags=["Users"])
Reader = Annotated[
    Caller,
    Depends(
        require_company_access(
            ApiRole.BuyerUserAdmin,
            ApiRole.BuyerUserReader,
            company_type=UserType.BUYER,
            path_param="buyerID",
        )
    ),
]
Admin = Annotated[
    Caller,
    Depends(
        require_company_access(
            ApiRole.BuyerUserAdmin, company_type=UserType.BUYER, path_param="buyerID"
        )
    ),
]
Query = Annotated[ListQuery, Depends(list_query(LIST_SPEC))]


def buyer(buyer_id: str) -> UserScope:
    return UserScope(UserType.BUYER, buyer_id)


@router.get("/buyers/{buyerID}/users")
async def list_buyer_users(
    runtime: RuntimeDep, caller: Reader, buyerID: str, query: Query
) -> JSONResponse:
    views, total = await service.list_page(runtime.db, caller.marketplace_id, buyer(buyerID), query)
    items = [user_out(v, marketplace_id=caller.marketplace_id) for v in views]
    return JSONResponse(list_page(items, query, total))


@router.post("/buyers/{buyerID}/users", status_code=201)
async def create_buyer_user(
    runtime: RuntimeDep, caller: Admin, buyerID: str, body: UserIn, request: Request
) -> JSONResponse:
    view = await service.create(
        runtime.db,
        runtime.hasher,
        runtime.clock,
        caller.marketplace_id,
        buyer(buyerID),
        body.domain_fields(),
    )
    location = str(request.url_for("get_buyer_user", buyerID=buyerID, userID=view.user.id))
    return JSONResponse(
        user_out(view, marketplace_id=caller.marketplace_id), 201, headers={"Location": location}
    )


@router.get("/buyers/{buyerID}/users/{userID}", name="get_buyer_user")
async def get_buyer_user(
    runtime: RuntimeDep, caller: Reader, buyerID: str, userID: str
) -> JSONResponse:
    view = await service.get(runtime.db, caller.marketplace_id, buyer(buyerID), userID)
    return JSONResponse(user_out(view, marketplace_id=caller.marketplace_id))


@router.put("/buyers/{buyerID}/users/{userID}")
async def save_buyer_user(
    runtime: RuntimeDep, caller: Admin, buyerID: str, userID: str, body: UserIn
) -> JSONResponse:
    view = await service.replace(
        runtime.db,
        runtime.hasher,
        runtime.clock,
        caller.marketplace_id,
        buyer(buyerID),
        userID,
        body.domain_fields(),
    )
    return JSONResponse(user_out(view, marketplace_id=caller.marketplace_id))


@router.patch("/buyers/{buyerID}/users/{userID}")
async def patch_buyer_user(
    runtime: RuntimeDep, caller: Admin, buyerID: str, userID: str, body: UserIn
) -> JSONResponse:
    view = await service.patch(
        runtime.db,
        runtime.hasher,
        runtime.clock,
        caller.marketplace_id,
        buyer(buyerID),
        userID,
        body.domain_fields(),
    )
    return JSONResponse(user_out(view, marketplace_id=caller.marketplace_id))


@router.delete("/buyers/{buyerID}/users/{userID}", status_code=204)
async def delete_buyer_user(
    runtime: RuntimeDep, caller: Admin, buyerID: str, userID: str
) -> Response:
    await service.delete(runtime.db, caller.marketplace_id, buyer(buyerID), userID)
    return Response(status_code=204)


@router.post("/buyers/{buyerID}/users/{userID}/unlock", status_code=204)
async def unlock_buyer_user(
    runtime: RuntimeDep, caller: Admin, buyerID: str, userID: str
) -> Response:
    await service.unlock(runtime.db, caller.marketplace_id, buyer(buyerID), userID)
    return Response(status_code=204)
