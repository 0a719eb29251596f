"""Signing keys: /oauth/certs/{kid}, the JWKS document, rotation and retirement."""

from __future__ import annotations

from datetime import timedelta

import httpx
import jwt
import pytest
from sqlalchemy import select

from gatehouse.oauth.keys import rotate_signing_key
from gatehouse.runtime import Runtime
from gatehouse.storage.models import SigningKeyRow
from gatehouse.storage.sealing import signing_key_purpose
from tests.conftest import ADMIN_PASSWORD, AdjustableClock, Marketplace, password_token

pytestmark = pytest.mark.asyncio


async def test_certs_need_no_token_and_expose_only_public_parts(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    kid = jwt.get_unverified_header(marketplace.token)["kid"]
    for headers in ({}, {"Authorization": "Bearer "}, {"Authorization": "Bearer junk"}):
        response = await client.get(f"/oauth/certs/{kid}", headers=headers)
        assert response.status_code == 200
    jwk = response.json()
    assert (
        jwk["kty"] == "RSA" and jwk["alg"] == "RS256" and jwk["use"] == "sig" and jwk["kid"] == kid
    )
    assert not {"d", "p", "q", "dp", "dq", "qi"} & set(jwk)
    jwks = (await client.get("/.well-known/jwks.json")).json()
    assert jwk in jwks["keys"]
    assert all("d" not in key for key in jwks["keys"])


async def test_unknown_kid(client: httpx.AsyncClient) -> None:
    response = await client.get("/oauth/certs/nope")
    assert response.status_code == 404
    assert response.json()["Errors"][0]["Data"] == {"ObjectType": "PublicKey", "ObjectID": "nope"}


async def test_rotation_keeps_old_tokens_valid_until_retired_keys_expire(
    client: httpx.AsyncClient, marketplace: Marketplace, runtime: Runtime, clock: AdjustableClock
) -> None:
    old_kid = jwt.get_unverified_header(marketplace.token)["kid"]
    new_kid = await rotate_signing_key(runtime.db, runtime.clock, timedelta(minutes=600))
    await runtime.keys.load()  # another process would pick it up within key_refresh_seconds
    fresh = await password_token(
        client, marketplace.client_id, marketplace.credentials.username, ADMIN_PASSWORD
    )
    assert jwt.get_unverified_header(fresh.json()["access_token"])["kid"] == new_kid != old_kid
    assert (await client.get("/v1/apiclients", headers=marketplace.auth)).status_code == 200
    assert (await client.get(f"/oauth/certs/{old_kid}")).status_code == 200

    clock.advance(timedelta(minutes=601))
    await runtime.keys.load()
    assert (await client.get(f"/oauth/certs/{old_kid}")).status_code == 404
    async with runtime.db.read() as session:
        kids = (await session.scalars(select(SigningKeyRow.kid))).all()
    assert old_kid in kids  # rows stay, so a kid is never reused


async def test_unknown_kid_in_a_token_triggers_a_reload(
    client: httpx.AsyncClient, marketplace: Marketplace, runtime: Runtime
) -> None:
    """A key rotated by another process is found on first sight of its kid."""
    await rotate_signing_key(runtime.db, runtime.clock, timedelta(minutes=600))
    # Sign with the new key as the other process would, without reloading this one's ring.
    async with runtime.db.read() as session:
        row = (
            await session.scalars(select(SigningKeyRow).where(SigningKeyRow.retired_at.is_(None)))
        ).one()
    assert row.private_key_pem is not None
    claims = jwt.decode(marketplace.token, options={"verify_signature": False})
    pem = runtime.secret_box.decrypt(row.private_key_pem, purpose=signing_key_purpose(row.kid))
    token = jwt.encode(claims, pem, algorithm="RS256", headers={"kid": row.kid})
    runtime.keys._loaded_at -= 10  # the reload guard allows one reload per second
    response = await client.get("/v1/apiclients", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
