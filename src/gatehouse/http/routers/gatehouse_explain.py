"""``POST /gatehouse/explain``: would a token be issued for this client, user and scope, and
why (docs/operations.md "Troubleshooting access"). Seller-only; FullAccess, ApiClientAdmin or
ApiClientReader. Whether a user exists is shown only to callers who may read users of its
type (AdminUserReader, BuyerUserReader, SupplierUserReader, their *Admin roles, FullAccess)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from gatehouse.domain.roles import ApiRole
from gatehouse.http.deps import Caller, ServicesDep, require
from gatehouse.http.openapi.errors import errors
from gatehouse.http.openapi.operations import Explanation
from gatehouse.http.schemas.operations import ExplainIn, explanation_out

router = APIRouter(prefix="/gatehouse", tags=["Operations"])
Reader = Annotated[
    Caller, Depends(require(ApiRole.ApiClientAdmin, ApiRole.ApiClientReader, seller_only=True))
]


# 404: the ClientID names no client of the marketplace.
@router.post("/explain", response_model=Explanation, responses=errors(404))
async def explain(services: ServicesDep, caller: Reader, body: ExplainIn) -> JSONResponse:
    explanation, username = await services.explain.explain_access(
        marketplace_id=caller.marketplace_id,
        client_id=body.ClientID,
        username=body.Username,
        scope=body.Scope,
        grant_type=body.GrantType,
        caller_roles=caller.roles,
    )
    return JSONResponse(explanation_out(explanation, body.ClientID.strip().lower(), username))
