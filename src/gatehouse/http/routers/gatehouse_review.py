"""``GET /gatehouse/review``: risky API client configurations of the caller's marketplace,
each with its reason and fix (docs/operations.md "Configuration review"). Seller-only;
FullAccess, ApiClientAdmin or ApiClientReader."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from gatehouse.domain.roles import ApiRole
from gatehouse.http.deps import Caller, RuntimeDep, ServicesDep, require
from gatehouse.http.openapi.operations import Review
from gatehouse.http.schemas.operations import finding_out
from gatehouse.services.review import thresholds_from

router = APIRouter(prefix="/gatehouse", tags=["Operations"])
Reader = Annotated[
    Caller, Depends(require(ApiRole.ApiClientAdmin, ApiRole.ApiClientReader, seller_only=True))
]


@router.get("/review", response_model=Review)
async def review(runtime: RuntimeDep, services: ServicesDep, caller: Reader) -> JSONResponse:
    findings = await services.review.review_marketplace(
        caller.marketplace_id, thresholds_from(runtime.settings)
    )
    return JSONResponse({"Items": [finding_out(f) for f in findings]})
