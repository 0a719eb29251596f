"""Signing keys: /oauth/certs/{kid}, the JWKS document, rotation and retirement."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import httpx
import jwt
import pytest
from sqlalchemy import select

from gatehouse.oauth.keys import rotate_signing_key, schedule_signing_key
from gatehouse.runtime import Runtime
from gatehouse.storage.models import SigningKeyRow
from gatehouse.storage.sealing import signing_key_purpose
from tests.factories.clock import AdjustableClock
from tests.factories.marketplaces import ADMIN_PASSWORD, Marketplace, password_token

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


async def _sign_with_newest(runtime: Runtime, claims: dict[str, object]) -> str:
    """A token signed with the newest key, as another process would sign it."""
    async with runtime.db.read() as session:
        row = (
            await session.scalars(select(SigningKeyRow).where(SigningKeyRow.retired_at.is_(None)))
        ).one()
    assert row.private_key_pem is not None
    pem = runtime.secret_box.decrypt(row.private_key_pem, purpose=signing_key_purpose(row.kid))
    return jwt.encode(claims, pem, algorithm="RS256", headers={"kid": row.kid})


async def test_unknown_kids_in_tokens_are_looked_up_without_refusals(
    client: httpx.AsyncClient, marketplace: Marketplace, runtime: Runtime
) -> None:
    """Keys rotated by another process are found on first sight of their kid, even two in
    the same second (a reload guard used to refuse the second with 401)."""
    claims = jwt.decode(marketplace.token, options={"verify_signature": False})
    for _ in range(3):
        await rotate_signing_key(runtime.db, runtime.clock, timedelta(minutes=600))
        token = await _sign_with_newest(runtime, claims)
        started = time.monotonic()
        results = await asyncio.gather(
            *(
                client.get("/v1/apiclients", headers={"Authorization": f"Bearer {token}"})
                for _ in range(5)
            )
        )
        assert [r.status_code for r in results] == [200] * 5
        assert time.monotonic() - started < 5
        kid = jwt.get_unverified_header(token)["kid"]
        assert (await client.get(f"/oauth/certs/{kid}")).status_code == 200


async def test_a_scheduled_key_is_published_at_once_and_signs_from_its_activation(
    client: httpx.AsyncClient, marketplace: Marketplace, runtime: Runtime, clock: AdjustableClock
) -> None:
    lifetime = timedelta(minutes=600)
    new_kid, activates = await schedule_signing_key(
        runtime.db, runtime.clock, lifetime, activation_delay=timedelta(seconds=60)
    )
    await runtime.keys.load()
    jwks = (await client.get("/.well-known/jwks.json")).json()
    assert new_kid in {key["kid"] for key in jwks["keys"]}
    assert (await client.get(f"/oauth/certs/{new_kid}")).status_code == 200

    async def signing_kid() -> str:
        fresh = await password_token(
            client, marketplace.client_id, marketplace.credentials.username, ADMIN_PASSWORD
        )
        return str(jwt.get_unverified_header(fresh.json()["access_token"])["kid"])

    assert await signing_kid() != new_kid  # published first...
    clock.advance(activates - runtime.clock.now() + timedelta(seconds=1))
    assert await signing_kid() == new_kid  # ...signs once active, with no reload needed
