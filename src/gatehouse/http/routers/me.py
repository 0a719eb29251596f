"""``/v1/me``: the caller's own user (spec §6.1). ``GET /me`` and ``GET /me/usergroups`` need
only a valid token (spec §2.6); ``PUT``/``PATCH /me`` need MeAdmin (and MeXpAdmin to change
``xp``); ``POST /me/password`` needs PasswordReset."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response
from fastapi.responses import JSONResponse

from gatehouse.domain.listing import ListQuery
from gatehouse.domain.roles import ApiRole, satisfies
from gatehouse.http.deps import Caller, RuntimeDep, authenticated_only, require
from gatehouse.http.listing import list_page, list_query
from gatehouse.http.schemas.user_groups import LIST_SPEC as GROUP_LIST_SPEC
from gatehouse.http.schemas.user_groups import group_out
from gatehouse.http.schemas.users import PasswordResetIn, UserIn, me_out
from gatehouse.services import me as service

router = APIRouter(prefix="/v1", tags=["Me"])
AnyToken = Annotated[Caller, Depends(authenticated_only())]
MeAdmin = Annotated[Caller, Depends(require(ApiRole.MeAdmin))]
PasswordReset = Annotated[Caller, Depends(require(ApiRole.PasswordReset))]
GroupQuery = Annotated[ListQuery, Depends(list_query(GROUP_LIST_SPEC))]


@router.get("/me")
async def get_me(runtime: RuntimeDep, caller: AnyToken) -> JSONResponse:
    me = await service.get(runtime.db, caller.marketplace_id, caller.internal_user_id)
    return JSONResponse(me_out(me, marketplace_id=caller.marketplace_id))


@router.put("/me")
async def save_me(runtime: RuntimeDep, caller: MeAdmin, body: UserIn) -> JSONResponse:
    return await _update(runtime, caller, body, merge=False)


@router.patch("/me")
async def patch_me(runtime: RuntimeDep, caller: MeAdmin, body: UserIn) -> JSONResponse:
    return await _update(runtime, caller, body, merge=True)


@router.get("/me/usergroups")
async def list_my_user_groups(
    runtime: RuntimeDep, caller: AnyToken, query: GroupQuery
) -> JSONResponse:
    groups, total = await service.user_groups_page(
        runtime.db, caller.marketplace_id, caller.internal_user_id, query
    )
    return JSONResponse(list_page([group_out(g) for g in groups], query, total))


@router.post("/me/password", status_code=204)
async def reset_my_password(
    runtime: RuntimeDep, caller: PasswordReset, body: PasswordResetIn
) -> Response:
    await service.set_password(
        runtime.db,
        runtime.hasher,
        runtime.clock,
        caller.marketplace_id,
        caller.internal_user_id,
        body.NewPassword,
    )
    return Response(status_code=204)


async def _update(
    runtime: RuntimeDep, caller: Caller, body: UserIn, *, merge: bool
) -> JSONResponse:
    me = await service.update(
        runtime.db,
        runtime.hasher,
        runtime.clock,
        caller.marketplace_id,
        caller.internal_user_id,
        body.domain_fields(),
        merge=merge,
        may_write_xp=satisfies(caller.roles, [ApiRole.MeXpAdmin]),
    )
    return JSONResponse(me_out(me, marketplace_id=caller.marketplace_id))
