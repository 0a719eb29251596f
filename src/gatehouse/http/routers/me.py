"""``/v1/me``: the caller's own user (spec §6.1). ``GET /me`` and ``GET /me/usergroups`` need
only a valid token (spec §2.6); ``PUT``/``PATCH /me`` need MeAdmin (and MeXpAdmin to change
``xp``); ``POST /me/password`` needs PasswordReset.

Anonymous tokens (spec §6.2) read ``/me`` and ``/me/usergroups`` as their template user, list
their own cart through ``GET /me/orders`` and may register (``PUT /me/register``); every other
Me write is 403 ``Auth.AnonUserProhibited``. ``PUT /me/orders`` moves an anonymous cart to a
registered caller."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Response
from fastapi.responses import JSONResponse

from gatehouse.domain.errors import InvalidInputError
from gatehouse.domain.listing import ListQuery
from gatehouse.domain.roles import ApiRole, satisfies
from gatehouse.domain.users import UserType
from gatehouse.http.deps import (
    Caller,
    RuntimeDep,
    ServicesDep,
    authenticated_only,
    refuse_anonymous,
    require,
)
from gatehouse.http.listing import list_page, list_query
from gatehouse.http.openapi import models
from gatehouse.http.openapi.errors import errors
from gatehouse.http.routers.orders import actor_of, date_range
from gatehouse.http.schemas.orders import LIST_SPEC as ORDER_LIST_SPEC
from gatehouse.http.schemas.orders import order_out
from gatehouse.http.schemas.user_groups import LIST_SPEC as GROUP_LIST_SPEC
from gatehouse.http.schemas.user_groups import group_out
from gatehouse.http.schemas.users import PasswordResetIn, UserIn, me_out
from gatehouse.oauth.grants.base import GrantContext
from gatehouse.runtime import Runtime
from gatehouse.services import anonymous, orders
from gatehouse.services.registry import Services

router = APIRouter(prefix="/v1", tags=["Me"])
AnyToken = Annotated[Caller, Depends(authenticated_only())]
MeAdmin = Annotated[Caller, Depends(require(ApiRole.MeAdmin))]
PasswordReset = Annotated[Caller, Depends(require(ApiRole.PasswordReset))]
Shopper = Annotated[Caller, Depends(require(ApiRole.Shopper))]
OrderDates = Annotated[orders.DateRange, Depends(date_range)]
GroupQuery = Annotated[ListQuery, Depends(list_query(GROUP_LIST_SPEC))]
OrderQuery = Annotated[ListQuery, Depends(list_query(ORDER_LIST_SPEC, ignore=("from", "to")))]


@router.get("/me", response_model=models.MeUser)
async def get_me(runtime: RuntimeDep, caller: AnyToken) -> JSONResponse:
    me = await runtime.me.get(caller.marketplace_id, caller.subject_id)
    return JSONResponse(me_out(me, marketplace_id=caller.marketplace_id))


@router.put("/me", response_model=models.MeUser, responses=errors(409))
async def save_me(services: ServicesDep, caller: MeAdmin, body: UserIn) -> JSONResponse:
    return await _update(services, caller, body, merge=False)


@router.patch("/me", response_model=models.MeUser, responses=errors(409))
async def patch_me(services: ServicesDep, caller: MeAdmin, body: UserIn) -> JSONResponse:
    return await _update(services, caller, body, merge=True)


@router.get("/me/usergroups", response_model=models.ListPage[models.UserGroup])
async def list_my_user_groups(
    services: ServicesDep, caller: AnyToken, query: GroupQuery
) -> JSONResponse:
    groups, total = await services.me.user_groups_page(
        caller.marketplace_id, caller.subject_id, query
    )
    return JSONResponse(list_page([group_out(g) for g in groups], query, total))


@router.post("/me/password", status_code=204)
async def reset_my_password(
    services: ServicesDep, caller: PasswordReset, body: PasswordResetIn
) -> Response:
    refuse_anonymous(caller)
    await services.me.set_password(caller.marketplace_id, caller.internal_user_id, body.NewPassword)
    return Response(status_code=204)


async def _update(services: Services, caller: Caller, body: UserIn, *, merge: bool) -> JSONResponse:
    refuse_anonymous(caller)
    me = await services.me.update(
        caller.marketplace_id,
        caller.internal_user_id,
        body.domain_fields(),
        merge=merge,
        may_write_xp=satisfies(caller.roles, [ApiRole.MeXpAdmin]),
    )
    return JSONResponse(me_out(me, marketplace_id=caller.marketplace_id))


@router.get("/me/orders", response_model=models.ListPage[models.Order])
async def list_my_orders(
    services: ServicesDep, caller: Shopper, query: OrderQuery, dates: OrderDates
) -> JSONResponse:
    """The caller's own orders; an anonymous caller's own cart at most (spec §6.2)."""
    actor = actor_of(caller)
    found, total = await services.orders.list_mine(actor, query, dates)
    items = [order_out(o, marketplace_id=caller.marketplace_id) for o in found]
    return JSONResponse(list_page(items, query, total))


@router.put("/me/orders", status_code=204, responses=errors(409))
async def transfer_anon_user_order(
    runtime: RuntimeDep, services: ServicesDep, caller: Shopper, anonUserToken: str | None = None
) -> Response:
    """Move the anonymous cart of ``anonUserToken`` to the calling registered user (§6.4)."""
    refuse_anonymous(caller)
    anon = await _anon_token(runtime, caller, anonUserToken)
    actor = actor_of(caller)
    await services.anonymous.transfer_order(
        caller.marketplace_id,
        actor.user_internal_id,
        actor.company_id if actor.user_type is UserType.BUYER else None,
        anon,
    )
    return Response(status_code=204)


@router.put("/me/register", response_model=models.RegisteredToken, responses=errors(409))
async def register(
    runtime: RuntimeDep,
    services: ServicesDep,
    caller: Shopper,
    body: UserIn,
    anonUserToken: str | None = None,
) -> JSONResponse:
    """Turn the anonymous bearer into a new buyer user (§6.3); 200 ``{"access_token"}``."""
    if not caller.is_anonymous:
        raise InvalidInputError("User.IsNotTemp", "The current user is not a temporary user.")
    anon = await _anon_token(runtime, caller, anonUserToken)
    exp = caller.claims.get("exp")
    bearer = anonymous.AnonToken(
        caller.order_id or "", datetime.fromtimestamp(exp if isinstance(exp, int) else 0, UTC)
    )
    ctx = GrantContext(runtime.codec, runtime.clock, runtime.settings.effective_base_url)
    token = await services.anonymous.register(
        ctx,
        anonymous.Registrant(
            caller.marketplace_id, caller.client_id, caller.username, caller.roles, bearer
        ),
        anon,
        body.domain_fields(),
    )
    return JSONResponse({"access_token": token})


async def _anon_token(runtime: Runtime, caller: Caller, token: str | None) -> anonymous.AnonToken:
    return await anonymous.verify_anon_token(
        runtime.codec, runtime.standing.marketplace_of, caller.marketplace_id, token
    )
