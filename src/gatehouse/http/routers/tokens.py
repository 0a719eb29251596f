"""Token revocation (spec §3.11, §2.3): ``DELETE /v1/me/tokens`` for the caller, and the
per-user ``DELETE .../tokens`` for admin, buyer and supplier users, guarded like the user
resources' other writes (``unlock``).

Revoking raises the user's revocation threshold past every token issued so far and deletes
their refresh tokens; every server process refuses those tokens with 401
``Auth.TokenRevoked`` from its next request on (``oauth.standing``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response

from gatehouse.domain.errors import UnauthenticatedError
from gatehouse.domain.roles import ApiRole
from gatehouse.domain.users import UserType
from gatehouse.http.deps import (
    Caller,
    ServicesDep,
    actor,
    authenticated_only,
    refuse_anonymous,
    require,
    require_company_access,
)
from gatehouse.http.openapi.errors import errors
from gatehouse.http.routers._company_paths import buyer_id, supplier_id
from gatehouse.services.users import UserScope

router = APIRouter(prefix="/v1")
AnyToken = Annotated[Caller, Depends(authenticated_only())]
AdminUserAdmin = Annotated[Caller, Depends(require(ApiRole.AdminUserAdmin, seller_only=True))]
BuyerUserAdmin = Annotated[
    Caller,
    Depends(
        require_company_access(
            ApiRole.BuyerUserAdmin, company_type=UserType.BUYER, path_param="buyerID"
        )
    ),
]
SupplierUserAdmin = Annotated[
    Caller,
    Depends(
        require_company_access(
            ApiRole.SupplierUserAdmin, company_type=UserType.SUPPLIER, path_param="supplierID"
        )
    ),
]


@router.delete("/me/tokens", status_code=204, tags=["Me"], responses=errors(403))
async def revoke_my_tokens(services: ServicesDep, caller: AnyToken) -> Response:
    refuse_anonymous(caller)
    if caller.internal_user_id is None:
        raise UnauthenticatedError()
    await services.user_tokens.revoke_own_tokens(
        caller.marketplace_id, caller.internal_user_id, actor(caller)
    )
    return Response(status_code=204)


@router.delete("/adminusers/{userID}/tokens", status_code=204, tags=["AdminUsers"])
async def revoke_admin_user_tokens(
    services: ServicesDep, caller: AdminUserAdmin, userID: str
) -> Response:
    scope = UserScope(UserType.ADMIN)
    await services.user_tokens.revoke_tokens(caller.marketplace_id, scope, userID, actor(caller))
    return Response(status_code=204)


@router.delete("/buyers/{buyerID}/users/{userID}/tokens", status_code=204, tags=["Users"])
async def revoke_buyer_user_tokens(
    services: ServicesDep,
    caller: BuyerUserAdmin,
    buyerID: Annotated[str, Depends(buyer_id)],
    userID: str,
) -> Response:
    scope = UserScope(UserType.BUYER, buyerID)
    await services.user_tokens.revoke_tokens(caller.marketplace_id, scope, userID, actor(caller))
    return Response(status_code=204)


@router.delete(
    "/suppliers/{supplierID}/users/{userID}/tokens", status_code=204, tags=["SupplierUsers"]
)
async def revoke_supplier_user_tokens(
    services: ServicesDep,
    caller: SupplierUserAdmin,
    supplierID: Annotated[str, Depends(supplier_id)],
    userID: str,
) -> Response:
    scope = UserScope(UserType.SUPPLIER, supplierID)
    await services.user_tokens.revoke_tokens(caller.marketplace_id, scope, userID, actor(caller))
    return Response(status_code=204)
