"""Reading tokens and OAuth error bodies, and tokens signed with other roles for role checks."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import jwt

from gatehouse.domain.tokens import micros, new_jti
from gatehouse.runtime import Runtime
from tests.factories.marketplaces import Marketplace


def claims_of(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    decoded: dict[str, Any] = json.loads(
        base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    )
    return decoded


def assert_oauth_error(response: httpx.Response, status: int, error: str, code: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] == error
    assert body["error_description"]
    assert body["Errors"][0]["ErrorCode"] == code
    assert body["Errors"][0]["Message"] == body["error_description"]


async def token_with(
    runtime: Runtime, mp: Marketplace, roles: list[str], **claims: Any
) -> dict[str, str]:
    base = jwt.decode(mp.token, options={"verify_signature": False})
    # Issued now, as a real token would be: one dated before its user's creation (or a
    # revocation) would rightly be refused as revoked.
    nbf = int(runtime.clock.now().timestamp()) - 1
    jti = new_jti(micros(runtime.clock.now()))
    base.update(role=roles, nbf=nbf, exp=nbf + 3600, jti=jti, **claims)
    return {"Authorization": f"Bearer {await runtime.codec.sign(base)}"}
