"""Bearer tokens on every /v1 request: 401 InvalidToken, 403 InsufficientRoles, seller-only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from gatehouse.domain.tokens import micros, new_jti
from gatehouse.runtime import Runtime
from tests.factories.clock import AdjustableClock
from tests.factories.companies import company_user
from tests.factories.marketplaces import Marketplace, password_token

pytestmark = pytest.mark.asyncio

PASSWORD = "Passw0rdPassw0rd"


def tamper(token: str) -> str:
    header, payload, signature = token.split(".")
    flipped = payload[:-2] + ("A" if payload[-2] != "A" else "B") + payload[-1]
    return ".".join((header, flipped, signature))


async def forged(runtime: Runtime, claims_from: str, **overrides: object) -> str:
    """Re-sign a real token's claims (with changes) using the real key: only the claims lie."""
    claims = jwt.decode(claims_from, options={"verify_signature": False})
    # Issued now (its jti carries its exact issue time): one dated before its user's
    # creation would rightly be refused as revoked.
    claims.update(jti=new_jti(micros(runtime.clock.now())), **overrides)
    return await runtime.codec.sign(claims)


@pytest.mark.parametrize(
    "header",
    [None, "", "Bearer", "Bearer ", "Basic abc", "Bearer not-a-jwt", "Bearer a.b.c"],
)
async def test_missing_or_malformed_tokens(
    client: httpx.AsyncClient, marketplace: Marketplace, header: str | None
) -> None:
    headers = {} if header is None else {"Authorization": header}
    response = await client.get("/v1/apiclients", headers=headers)
    assert response.status_code == 401
    assert response.json() == {
        "Errors": [
            {
                "ErrorCode": "InvalidToken",
                "Message": "Access token is invalid or expired.",
                "Data": None,
            }
        ]
    }


async def test_tampered_token(client: httpx.AsyncClient, marketplace: Marketplace) -> None:
    response = await client.get(
        "/v1/apiclients", headers={"Authorization": f"Bearer {tamper(marketplace.token)}"}
    )
    assert response.status_code == 401


async def test_token_signed_by_a_foreign_key(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    claims = jwt.decode(marketplace.token, options={"verify_signature": False})
    kid = jwt.get_unverified_header(marketplace.token)["kid"]
    foreign = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = jwt.encode(claims, foreign, algorithm="RS256", headers={"kid": kid})
    response = await client.get("/v1/apiclients", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


async def test_alg_none_and_hs256_are_refused(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    claims = jwt.decode(marketplace.token, options={"verify_signature": False})
    kid = jwt.get_unverified_header(marketplace.token)["kid"]
    none_token = jwt.encode(claims, "", algorithm="none", headers={"kid": kid})
    hs_token = jwt.encode(claims, "x" * 32, algorithm="HS256", headers={"kid": kid})
    for token in (none_token, hs_token):
        response = await client.get("/v1/apiclients", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401


async def test_wrong_audience(
    client: httpx.AsyncClient, marketplace: Marketplace, runtime: Runtime
) -> None:
    token = await forged(runtime, marketplace.token, aud="https://api.ordercloud.io")
    response = await client.get("/v1/apiclients", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


async def test_expired_token(
    client: httpx.AsyncClient, marketplace: Marketplace, clock: AdjustableClock
) -> None:
    ok = await client.get("/v1/apiclients", headers=marketplace.auth)
    assert ok.status_code == 200
    clock.advance(timedelta(minutes=600))
    response = await client.get("/v1/apiclients", headers=marketplace.auth)
    assert response.status_code == 401
    assert response.json()["Errors"][0]["ErrorCode"] == "InvalidToken"


async def test_not_yet_valid_token(
    client: httpx.AsyncClient, marketplace: Marketplace, runtime: Runtime
) -> None:
    future = int((datetime.now(UTC) + timedelta(minutes=5)).timestamp())
    token = await forged(runtime, marketplace.token, nbf=future, exp=future + 600)
    response = await client.get("/v1/apiclients", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


async def reader_token(client: httpx.AsyncClient, mp: Marketplace, roles: list[str]) -> str:
    """An admin user whose only profile grants ``roles`` (the seller-level FullAccess removed)."""
    await client.post(
        "/v1/securityprofiles",
        headers=mp.auth,
        json={"ID": "limited", "Name": "Limited", "Roles": roles},
    )
    await client.post(
        "/v1/adminusers",
        headers=mp.auth,
        json={
            "ID": "limited-user",
            "Username": "limited-user",
            "Password": PASSWORD,
            "FirstName": "L",
            "LastName": "U",
            "Email": "l@example.com",
            "Active": True,
        },
    )
    await client.post(
        "/v1/securityprofiles/assignments",
        headers=mp.auth,
        json={"SecurityProfileID": "limited", "UserID": "limited-user"},
    )
    await client.delete("/v1/securityprofiles/FullAccess/assignments", headers=mp.auth)
    response = await password_token(client, mp.client_id, "limited-user", PASSWORD)
    token: str = response.json()["access_token"]
    return token


async def test_api_client_reader_can_list_but_not_create(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    token = await reader_token(client, marketplace, ["ApiClientReader"])
    headers = {"Authorization": f"Bearer {token}"}
    assert (await client.get("/v1/apiclients", headers=headers)).status_code == 200
    assert (
        await client.get(f"/v1/apiclients/{marketplace.client_id}", headers=headers)
    ).status_code == 200
    assert (await client.get("/v1/apiclients/assignments", headers=headers)).status_code == 200
    refused = await client.post(
        "/v1/apiclients", headers=headers, json={"AppName": "x", "AccessTokenDuration": 60}
    )
    assert refused.status_code == 403
    error = refused.json()["Errors"][0]
    assert error["ErrorCode"] == "Auth.InsufficientRoles"
    assert error["Data"]["SufficientRoles"] == ["FullAccess", "ApiClientAdmin"]
    assert error["Data"]["AssignedRoles"] == ["ApiClientReader"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/apiclients"),
        ("POST", "/v1/apiclients"),
        ("GET", "/v1/apiclients/x"),
        ("PUT", "/v1/apiclients/x"),
        ("PATCH", "/v1/apiclients/x"),
        ("DELETE", "/v1/apiclients/x"),
        ("GET", "/v1/apiclients/assignments"),
        ("POST", "/v1/apiclients/assignments"),
        ("DELETE", "/v1/buyers/b/ApiClients/Assignments/x"),
        ("DELETE", "/v1/suppliers/s/ApiClients/Assignments/x"),
        ("GET", "/v1/adminusers"),
        ("POST", "/v1/adminusers"),
        ("GET", "/v1/securityprofiles"),
        ("POST", "/v1/securityprofiles/assignments"),
    ],
)
async def test_routes_need_their_roles(
    client: httpx.AsyncClient, marketplace: Marketplace, method: str, path: str
) -> None:
    token = await reader_token(client, marketplace, ["OrderReader"])
    response = await client.request(
        method, path, headers={"Authorization": f"Bearer {token}"}, json={}
    )
    assert response.status_code == 403
    assert response.json()["Errors"][0]["ErrorCode"] == "Auth.InsufficientRoles"


async def test_api_clients_are_seller_only_even_with_full_access(
    client: httpx.AsyncClient, marketplace: Marketplace, runtime: Runtime
) -> None:
    for usrtype in ("buyer", "supplier"):
        internal_id, username = await company_user(runtime, marketplace, usrtype)
        nbf = int(runtime.clock.now().timestamp()) - 1  # issued after the user's creation
        token = await forged(
            runtime,
            marketplace.token,
            usrtype=usrtype,
            u=str(internal_id),
            usr=username,
            nbf=nbf,
            exp=nbf + 600,
        )
        response = await client.get("/v1/apiclients", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 403
        assert response.json()["Errors"][0]["ErrorCode"] == "Auth.UserNotAuthorizedToAdmin"


async def test_unknown_route_gets_the_error_body(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    response = await client.get("/v1/nothing-here", headers=marketplace.auth)
    assert response.status_code == 404
    assert response.json()["Errors"][0]["Data"]["ObjectType"] == "Route"


async def test_routes_match_case_insensitively_but_ids_keep_case(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    listed = await client.get("/V1/ApiClients", headers=marketplace.auth)
    assert listed.status_code == 200
    await client.post(
        "/v1/securityprofiles", headers=marketplace.auth, json={"ID": "MixedCase", "Name": "M"}
    )
    got = await client.get("/v1/SecurityProfiles/MixedCase", headers=marketplace.auth)
    assert got.json()["ID"] == "MixedCase"
    assert (
        await client.get("/v1/securityprofiles/mixedcase", headers=marketplace.auth)
    ).status_code == 404
