"""``/v1/securityprofiles`` and their assignments (spec §5.1, §5.2). Seller-only."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from gatehouse.domain.listing import ListQuery, page_meta
from gatehouse.domain.roles import ApiRole
from gatehouse.domain.security_profiles import ProfileAssignment
from gatehouse.http.deps import Caller, ServicesDep, actor, require
from gatehouse.http.listing import list_page, list_query, paging, query_param
from gatehouse.http.openapi import models
from gatehouse.http.openapi.errors import errors
from gatehouse.http.schemas.security_profiles import (
    LIST_SPEC,
    SecurityProfileAssignmentIn,
    SecurityProfileIn,
    assignment_out,
    profile_out,
)

router = APIRouter(prefix="/v1", tags=["SecurityProfiles"])
_ADMIN_ROLES = (ApiRole.SecurityProfileAdmin, ApiRole.SetSecurityProfile)
Reader = Annotated[
    Caller,
    Depends(require(*_ADMIN_ROLES, ApiRole.SecurityProfileReader, seller_only=True)),
]
Admin = Annotated[Caller, Depends(require(*_ADMIN_ROLES, seller_only=True))]
Query = Annotated[ListQuery, Depends(list_query(LIST_SPEC))]
_PARTY_PARAMS = {
    "buyerID": "buyer_id",
    "supplierID": "supplier_id",
    "securityProfileID": "security_profile_id",
    "userID": "user_id",
    "userGroupID": "user_group_id",
}


@router.get("/securityprofiles", response_model=models.ListPage[models.SecurityProfile])
async def list_security_profiles(
    services: ServicesDep, caller: Reader, query: Query
) -> JSONResponse:
    profiles, total = await services.security_profiles.list_page(caller.marketplace_id, query)
    return JSONResponse(list_page([profile_out(p) for p in profiles], query, total))


@router.post(
    "/securityprofiles",
    status_code=201,
    response_model=models.SecurityProfile,
    responses=errors(409),
)
async def create_security_profile(
    services: ServicesDep, caller: Admin, body: SecurityProfileIn, request: Request
) -> JSONResponse:
    profile = await services.security_profiles.create(caller.marketplace_id, body.domain_fields())
    location = str(request.url_for("get_security_profile", securityProfileID=profile.id))
    return JSONResponse(profile_out(profile), 201, headers={"Location": location})


@router.get(
    "/securityprofiles/assignments",
    response_model=models.ListPage[models.SecurityProfileAssignment],
)
async def list_security_profile_assignments(
    services: ServicesDep, caller: Admin, request: Request
) -> JSONResponse:
    """Assignment lists need an admin role, not SecurityProfileReader (spec §5.1)."""
    page, page_size = paging(request)
    filters = {
        column: value
        for param, column in _PARTY_PARAMS.items()
        if (value := query_param(request, param)) is not None
    }
    assignments, total = await services.security_profiles.list_assignments(
        caller.marketplace_id,
        filters=filters,
        commerce_role=query_param(request, "commerceRole"),
        level=query_param(request, "level"),
        page=page,
        page_size=page_size,
    )
    items = [assignment_out(a) for a in assignments]
    return JSONResponse({"Meta": page_meta(page, page_size, total), "Items": items})


@router.post("/securityprofiles/assignments", status_code=204, responses=errors(404, 409))
async def save_security_profile_assignment(
    services: ServicesDep, caller: Admin, body: SecurityProfileAssignmentIn
) -> Response:
    await services.security_profiles.save_assignment(
        caller.marketplace_id, body.domain(), actor(caller)
    )
    return Response(status_code=204)


@router.get(
    "/securityprofiles/{securityProfileID}",
    name="get_security_profile",
    response_model=models.SecurityProfile,
)
async def get_security_profile(
    services: ServicesDep,
    caller: Reader,
    securityProfileID: str,
) -> JSONResponse:
    profile = await services.security_profiles.get(caller.marketplace_id, securityProfileID)
    return JSONResponse(profile_out(profile))


@router.put(
    "/securityprofiles/{securityProfileID}",
    response_model=models.SecurityProfile,
    responses=errors(409),
)
async def save_security_profile(
    services: ServicesDep,
    caller: Admin,
    securityProfileID: str,
    body: SecurityProfileIn,
) -> JSONResponse:
    profile = await services.security_profiles.replace_profile(
        caller.marketplace_id, securityProfileID, body.domain_fields()
    )
    return JSONResponse(profile_out(profile))


@router.patch(
    "/securityprofiles/{securityProfileID}",
    response_model=models.SecurityProfile,
    responses=errors(409),
)
async def patch_security_profile(
    services: ServicesDep,
    caller: Admin,
    securityProfileID: str,
    body: SecurityProfileIn,
) -> JSONResponse:
    profile = await services.security_profiles.patch(
        caller.marketplace_id, securityProfileID, body.domain_fields()
    )
    return JSONResponse(profile_out(profile))


@router.delete("/securityprofiles/{securityProfileID}", status_code=204, responses=errors(409))
async def delete_security_profile(
    services: ServicesDep,
    caller: Admin,
    securityProfileID: str,
) -> Response:
    await services.security_profiles.delete(caller.marketplace_id, securityProfileID)
    return Response(status_code=204)


@router.delete("/securityprofiles/{securityProfileID}/assignments", status_code=204)
async def delete_security_profile_assignment(
    services: ServicesDep,
    caller: Admin,
    securityProfileID: str,
    request: Request,
) -> Response:
    assignment = ProfileAssignment(
        security_profile_id=securityProfileID,
        buyer_id=query_param(request, "buyerID"),
        supplier_id=query_param(request, "supplierID"),
        user_id=query_param(request, "userID"),
        user_group_id=query_param(request, "userGroupID"),
    )
    await services.security_profiles.delete_assignment(
        caller.marketplace_id, assignment, actor(caller)
    )
    return Response(status_code=204)
