"""Gatehouse-only incident response on one API client (issue 5; decisions.md: under
``/gatehouse/``). Seller-only, FullAccess or ApiClientAdmin, as changing the client would be.

- ``DELETE /gatehouse/apiclients/{apiClientID}/tokens``: revoke every token issued through
  the client (204); its users' tokens through other clients keep working.
- ``POST /gatehouse/apiclients/{apiClientID}/secrets/rotate``: a new named secret (201, its
  value shown this once) while the client's other named secrets expire after
  ``OldSecretsExpireInMinutes``. On a client with no secret, or an IsAnonBuyer client, it is
  409 (``ApiClientSecret.NoSecretToRotate`` / ``ApiClientSecret.RotateAnonBuyerClient``)
  unless the body says ``"AddSecret": true``.

Deactivating a client is the standard ``PATCH /v1/apiclients/{id}`` with ``{"Active": false}``.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from fastapi import APIRouter, Depends, Response
from fastapi.responses import JSONResponse
from pydantic import StrictBool, StrictInt

from gatehouse.domain.roles import ApiRole
from gatehouse.http.deps import Caller, ServicesDep, actor, require
from gatehouse.http.openapi.operations import SecretRotation
from gatehouse.http.schemas.api_client_secrets import ApiClientSecretIn, created_out
from gatehouse.http.schemas.common import iso
from gatehouse.services.api_client_secrets import Rotation

router = APIRouter(prefix="/gatehouse/apiclients/{apiClientID}", tags=["Gatehouse: incidents"])
Admin = Annotated[Caller, Depends(require(ApiRole.ApiClientAdmin, seller_only=True))]


class RotationIn(ApiClientSecretIn):
    """The new secret's fields, and how long the secrets it replaces keep working."""

    REQUIRED: ClassVar[tuple[str, ...]] = ()  # the new secret is "rotated" unless named

    OldSecretsExpireInMinutes: StrictInt | None = None
    AddSecret: StrictBool | None = None
    """Required (true) on a client without a secret or an IsAnonBuyer client: rotating
    there adds a first secret, and every request without one is refused from then on."""


def rotation_out(rotation: Rotation) -> dict[str, Any]:
    return {
        "Secret": created_out(rotation.created),
        "OldSecretsExpire": iso(rotation.old_secrets_expire),
        "ReplacedSecrets": rotation.replaced,
        "LegacyClientSecretSet": rotation.legacy_secret_set,
    }


@router.delete("/tokens", status_code=204)
async def revoke_client_tokens(services: ServicesDep, caller: Admin, apiClientID: str) -> Response:
    await services.incidents.revoke_client_tokens(caller.marketplace_id, apiClientID, actor(caller))
    return Response(status_code=204)


@router.post("/secrets/rotate", status_code=201, response_model=SecretRotation)
async def rotate_secret(
    services: ServicesDep, caller: Admin, apiClientID: str, body: RotationIn
) -> JSONResponse:
    fields = body.domain_fields()
    fields.setdefault("name", "rotated")
    overlap = body.OldSecretsExpireInMinutes
    rotation = await services.api_client_secrets.rotate(
        caller.marketplace_id,
        apiClientID,
        fields,
        60 if overlap is None else overlap,
        actor(caller),
        add_secret=bool(body.AddSecret),
    )
    return JSONResponse(rotation_out(rotation), 201)
