"""Standard OAuth beside OrderCloud's (issue 11): client authentication methods (RFC 6749
§2.3.1), ``/oauth/revoke`` (RFC 7009), ``/oauth/introspect`` (RFC 7662), RFC 9068 claims and
RFC 8414 metadata, over HTTP. (The real generic clients: tests/e2e/test_generic_clients.py.)"""

from __future__ import annotations

import asyncio
import base64
import secrets
from typing import Any

import httpx
import jwt
import pytest

from gatehouse.crypto import PasswordHasher
from gatehouse.runtime import Runtime
from gatehouse.services.marketplaces import create_marketplace
from tests.factories.client_credentials import basic
from tests.factories.clock import AdjustableClock
from tests.factories.marketplaces import ADMIN_PASSWORD, Marketplace, password_token
from tests.factories.refresh_tokens import PASSWORD, jane_shop
from tests.factories.revocation import INVALID, OK, REVOKED, bearer, me_status
from tests.support.sql import all_statements

pytestmark = pytest.mark.asyncio
SECRET = "s3cr:t%+ é/="  # every character RFC 6749's form-encoding step matters for


async def secret_client(http: httpx.AsyncClient, mp: Marketplace, **fields: Any) -> str:
    body = {
        "AppName": "Integration",
        "AccessTokenDuration": 30,
        "RefreshTokenDuration": 60,
        "AllowAnyBuyer": True,
        "ClientSecret": SECRET,
        "DefaultContextUserName": "jane",
        **fields,
    }
    created = await http.post("/v1/apiclients", headers=mp.auth, json=body)
    assert created.status_code == 201, created.text
    client_id: str = created.json()["ID"]
    return client_id


PASSWORD_FORM = {"grant_type": "password", "username": "jane", "password": PASSWORD}


async def login(
    http: httpx.AsyncClient, client_id: str, *, use_basic: bool = True
) -> dict[str, Any]:
    if use_basic:
        response = await http.post(
            "/oauth/token", data=PASSWORD_FORM, headers=basic(client_id, SECRET)
        )
    else:
        form = {**PASSWORD_FORM, "client_id": client_id, "client_secret": SECRET}
        response = await http.post("/oauth/token", data=form)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def assert_oauth(response: httpx.Response, status: int, error: str, code: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] == error
    assert body["Errors"][0]["ErrorCode"] == code


# --- client authentication -------------------------------------------------------------------


async def test_basic_and_post_authenticate_every_grant(
    client: httpx.AsyncClient, shop: Marketplace
) -> None:
    client_id = await secret_client(client, shop)
    for use_basic in (True, False):
        body = await login(client, client_id, use_basic=use_basic)
        assert await me_status(client, body["access_token"]) == OK
        refresh = {"grant_type": "refresh_token", "refresh_token": body["refresh_token"]}
        headers = basic(client_id, SECRET) if use_basic else {}
        form = (
            refresh if use_basic else {**refresh, "client_id": client_id, "client_secret": SECRET}
        )
        refreshed = await client.post("/oauth/token", data=form, headers=headers)
        assert refreshed.status_code == 200, refreshed.text
        credentials = {"grant_type": "client_credentials"}
        form = credentials if use_basic else {**credentials, "client_id": client_id}
        if not use_basic:
            form["client_secret"] = SECRET
        issued = await client.post("/oauth/token", data=form, headers=headers)
        assert issued.status_code == 200, issued.text
        assert (
            jwt.decode(issued.json()["access_token"], options={"verify_signature": False})["usr"]
            == "jane"
        )


async def test_basic_with_the_same_client_id_in_the_form_is_one_method(
    client: httpx.AsyncClient, shop: Marketplace
) -> None:
    client_id = await secret_client(client, shop)
    form = {**PASSWORD_FORM, "client_id": client_id.upper()}
    response = await client.post("/oauth/token", data=form, headers=basic(client_id, SECRET))
    assert response.status_code == 200, response.text


async def test_two_methods_at_once_are_refused(
    client: httpx.AsyncClient, shop: Marketplace
) -> None:
    client_id = await secret_client(client, shop)
    both = {**PASSWORD_FORM, "client_id": client_id, "client_secret": SECRET}
    response = await client.post("/oauth/token", data=both, headers=basic(client_id, SECRET))
    assert_oauth(response, 400, "invalid_request", "Auth.MultipleClientAuthentication")
    other = {**PASSWORD_FORM, "client_id": "another-client"}
    response = await client.post("/oauth/token", data=other, headers=basic(client_id, SECRET))
    assert_oauth(response, 400, "invalid_request", "Auth.MultipleClientAuthentication")


@pytest.mark.parametrize(
    ("header", "code"),
    [
        ("wrong-secret", "Auth.InvalidClientSecret"),
        ("unknown-client", "ApiClient.InvalidClientID"),
        ("Basic !!!not-base64", "Auth.InvalidBasicCredentials"),
        ("Basic " + base64.b64encode(b"no-colon").decode(), "Auth.InvalidBasicCredentials"),
        ("Basic " + base64.b64encode(b":secret").decode(), "Auth.InvalidBasicCredentials"),
        # Not UTF-8: read as Latin-1 (as authlib encodes), so an unknown client.
        ("Basic " + base64.b64encode(b"\xff\xfe:x").decode(), "ApiClient.InvalidClientID"),
    ],
)
async def test_a_failed_basic_authentication_is_401_with_a_challenge(
    client: httpx.AsyncClient, shop: Marketplace, header: str, code: str
) -> None:
    client_id = await secret_client(client, shop)
    headers = {"Authorization": header}
    if header == "wrong-secret":
        headers = basic(client_id, "wrong")
    elif header == "unknown-client":
        headers = basic("no-such-client", SECRET)
    response = await client.post("/oauth/token", data=PASSWORD_FORM, headers=headers)
    assert_oauth(response, 401, "invalid_client", code)
    assert response.headers["www-authenticate"].startswith("Basic")
    assert response.headers["cache-control"] == "no-store"


async def test_failed_post_authentication_keeps_ordercloud_answers(
    client: httpx.AsyncClient, shop: Marketplace
) -> None:
    """decisions.md's table is unchanged for the form: no challenge header, same codes."""
    client_id = await secret_client(client, shop)
    form = {**PASSWORD_FORM, "client_id": client_id, "client_secret": "wrong"}
    response = await client.post("/oauth/token", data=form)
    assert_oauth(response, 401, "invalid_client", "Auth.InvalidClientSecret")
    assert "www-authenticate" not in response.headers
    response = await client.post("/oauth/token", data=PASSWORD_FORM)
    assert_oauth(response, 400, "invalid_request", "Auth.ClientIDRequired")


async def test_public_clients_authenticate_with_none(
    client: httpx.AsyncClient, shop: Marketplace
) -> None:
    """OrderCloud's own form: client_id alone, for a client without a secret."""
    client_id = await secret_client(client, shop, ClientSecret=None)
    response = await client.post("/oauth/token", data={**PASSWORD_FORM, "client_id": client_id})
    assert response.status_code == 200, response.text
    # The same client through Basic with an empty secret.
    response = await client.post("/oauth/token", data=PASSWORD_FORM, headers=basic(client_id, ""))
    assert response.status_code == 200, response.text


# --- RFC 9068 claims ------------------------------------------------------------------------


async def test_rfc9068_claims_beside_ordercloud_claims(
    client: httpx.AsyncClient, shop: Marketplace, runtime: Runtime
) -> None:
    client_id = await secret_client(client, shop)
    tokens = [(await login(client, client_id))["access_token"] for _ in range(3)]
    claims = [jwt.decode(token, options={"verify_signature": False}) for token in tokens]
    now = runtime.clock.now().timestamp()
    assert len({found["jti"] for found in claims}) == 3
    for found in claims:
        assert found["iat"] <= now and found["iat"] == found["nbf"] + 1
        assert found["sub"] == found["u"]
        assert found["client_id"] == found["cid"] == client_id
        assert found["scope"].split() == sorted(
            [found["role"]] if isinstance(found["role"], str) else found["role"]
        )
        for name in ("usr", "cid", "u", "usrtype", "role", "iss", "aud", "exp", "nbf"):
            assert name in found


async def test_iat_is_never_in_the_future_after_a_revocation(
    client: httpx.AsyncClient, shop: Marketplace, runtime: Runtime
) -> None:
    client_id = await secret_client(client, shop)
    first = await login(client, client_id)
    revoked = await client.delete("/v1/me/tokens", headers=bearer(first["access_token"]))
    assert revoked.status_code == 204
    token = (await login(client, client_id))["access_token"]
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["iat"] <= runtime.clock.now().timestamp()
    assert await me_status(client, token) == OK


# --- RFC 7009 revocation --------------------------------------------------------------------


async def revoke(
    http: httpx.AsyncClient, client_id: str, token: str, **extra: str
) -> httpx.Response:
    return await http.post(
        "/oauth/revoke", data={"token": token, **extra}, headers=basic(client_id, SECRET)
    )


async def test_revoking_one_access_token(client: httpx.AsyncClient, shop: Marketplace) -> None:
    client_id = await secret_client(client, shop)
    one, other = await login(client, client_id), await login(client, client_id)
    response = await revoke(client, client_id, one["access_token"], token_type_hint="access_token")
    assert response.status_code == 200 and response.content == b""
    assert response.headers["cache-control"] == "no-store"
    assert await me_status(client, one["access_token"]) == REVOKED
    assert await me_status(client, other["access_token"]) == OK  # only that token
    again = await revoke(client, client_id, one["access_token"])  # idempotent
    assert again.status_code == 200


async def test_concurrent_revocations_of_one_token_all_succeed(
    client: httpx.AsyncClient, shop: Marketplace
) -> None:
    client_id = await secret_client(client, shop)
    token = (await login(client, client_id))["access_token"]
    answers = await asyncio.gather(*(revoke(client, client_id, token) for _ in range(8)))
    assert [answer.status_code for answer in answers] == [200] * 8
    assert await me_status(client, token) == REVOKED


async def test_purge_forgets_revoked_ids_once_their_tokens_expired(
    client: httpx.AsyncClient, shop: Marketplace, runtime: Runtime, clock: AdjustableClock
) -> None:
    from datetime import timedelta

    from sqlalchemy import func, select

    from gatehouse.services.purge import purge
    from gatehouse.storage.models import RevokedAccessTokenRow

    client_id = await secret_client(client, shop)
    token = (await login(client, client_id))["access_token"]
    await revoke(client, client_id, token)
    jti = jwt.decode(token, options={"verify_signature": False})["jti"]

    async def kept() -> int:
        async with runtime.db.read() as session:
            query = select(func.count()).where(RevokedAccessTokenRow.jti == jti)
            return int(await session.scalar(query) or 0)

    await purge(runtime.db, runtime.clock)
    assert await kept() == 1
    clock.advance(timedelta(minutes=31))  # the token lived 30
    await purge(runtime.db, runtime.clock)
    assert await kept() == 0


async def test_revoking_a_refresh_token_with_the_form_and_a_wrong_hint(
    client: httpx.AsyncClient, shop: Marketplace
) -> None:
    client_id = await secret_client(client, shop)
    body = await login(client, client_id)
    form = {
        "token": body["refresh_token"],
        "token_type_hint": "access_token",  # wrong: the server looks further (RFC 7009 §2.1)
        "client_id": client_id,
        "client_secret": SECRET,
    }
    response = await client.post("/oauth/revoke", data=form)
    assert response.status_code == 200
    refresh = {
        "grant_type": "refresh_token",
        "refresh_token": body["refresh_token"],
    }
    refused = await client.post("/oauth/token", data=refresh, headers=basic(client_id, SECRET))
    assert_oauth(refused, 400, "invalid_grant", "Auth.InvalidRefreshToken")


async def test_a_client_revokes_only_its_own_tokens(
    client: httpx.AsyncClient, shop: Marketplace
) -> None:
    mine, theirs = await secret_client(client, shop), await secret_client(client, shop)
    body = await login(client, theirs)
    for token in (body["access_token"], body["refresh_token"], "unknown-token", "a.b.c"):
        response = await revoke(client, mine, token)
        assert response.status_code == 200  # RFC 7009 §2.2: says nothing about the token
    assert await me_status(client, body["access_token"]) == OK
    refresh = {"grant_type": "refresh_token", "refresh_token": body["refresh_token"]}
    kept = await client.post("/oauth/token", data=refresh, headers=basic(theirs, SECRET))
    assert kept.status_code == 200


async def test_revocation_needs_client_authentication_and_a_token(
    client: httpx.AsyncClient, shop: Marketplace
) -> None:
    client_id = await secret_client(client, shop)
    body = await login(client, client_id)
    response = await client.post(
        "/oauth/revoke", data={"token": body["access_token"]}, headers=basic(client_id, "wrong")
    )
    assert_oauth(response, 401, "invalid_client", "Auth.InvalidClientSecret")
    assert response.headers["www-authenticate"].startswith("Basic")
    response = await client.post("/oauth/revoke", data={}, headers=basic(client_id, SECRET))
    assert_oauth(response, 400, "invalid_request", "Auth.TokenRequired")
    assert await me_status(client, body["access_token"]) == OK


async def test_a_public_client_revokes_its_token_with_its_id(
    client: httpx.AsyncClient, shop: Marketplace
) -> None:
    client_id = await secret_client(client, shop, ClientSecret=None)
    form = {**PASSWORD_FORM, "client_id": client_id}
    token = (await client.post("/oauth/token", data=form)).json()["access_token"]
    response = await client.post("/oauth/revoke", data={"token": token, "client_id": client_id})
    assert response.status_code == 200
    assert await me_status(client, token) == REVOKED


# --- RFC 7662 introspection -----------------------------------------------------------------


async def introspect(
    http: httpx.AsyncClient, token: str, headers: dict[str, str]
) -> httpx.Response:
    return await http.post("/oauth/introspect", data={"token": token}, headers=headers)


async def test_introspecting_an_active_token(client: httpx.AsyncClient, shop: Marketplace) -> None:
    client_id = await secret_client(client, shop)
    token = (await login(client, client_id))["access_token"]
    response = await introspect(client, token, basic(client_id, SECRET))
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    claims = jwt.decode(token, options={"verify_signature": False})
    assert body["active"] is True
    assert body["token_type"] == "Bearer"
    assert body["username"] == "jane"
    for name in ("scope", "client_id", "exp", "iat", "nbf", "sub", "aud", "iss", "jti"):
        assert body[name] == claims[name], name


async def test_introspecting_a_refresh_token(client: httpx.AsyncClient, shop: Marketplace) -> None:
    client_id = await secret_client(client, shop)
    body = await login(client, client_id)
    response = await introspect(client, body["refresh_token"], basic(client_id, SECRET))
    found = response.json()
    assert found["active"] is True and found["token_type"] == "refresh_token"
    assert found["client_id"] == client_id


async def other_marketplace_token(
    http: httpx.AsyncClient, runtime: Runtime, hasher: PasswordHasher
) -> str:
    credentials = await create_marketplace(
        runtime.db,
        hasher,
        runtime.clock,
        name="Elsewhere",
        admin_username=f"admin-{secrets.token_hex(4)}",
        admin_password=ADMIN_PASSWORD,
    )
    response = await password_token(
        http, credentials.api_client_id, credentials.username, ADMIN_PASSWORD
    )
    token: str = response.json()["access_token"]
    return token


async def test_inactive_tokens_say_only_active_false(
    client: httpx.AsyncClient, shop: Marketplace, runtime: Runtime, hasher: PasswordHasher
) -> None:
    client_id = await secret_client(client, shop)
    body = await login(client, client_id)
    revoked = await login(client, client_id)
    await revoke(client, client_id, revoked["access_token"])
    elsewhere = await other_marketplace_token(client, runtime, hasher)
    assert await me_status(client, elsewhere) == OK
    forged = body["access_token"][:-4] + "AAAA"
    for token in (revoked["access_token"], elsewhere, forged, "nope", "a.b.c", "x" * 3000):
        response = await introspect(client, token, basic(client_id, SECRET))
        assert response.status_code == 200
        assert response.json() == {"active": False}, token
    deactivated = await client.patch(
        "/v1/buyers/buyer-a/users/jane", headers=shop.auth, json={"Active": False}
    )
    assert deactivated.status_code == 200
    for token in (body["access_token"], body["refresh_token"]):
        response = await introspect(client, token, basic(client_id, SECRET))
        assert response.json() == {"active": False} or token == body["refresh_token"]


async def test_who_may_introspect(
    client: httpx.AsyncClient, shop: Marketplace, runtime: Runtime
) -> None:
    client_id = await secret_client(client, shop)
    public = await secret_client(client, shop, ClientSecret=None)
    token = (await login(client, client_id))["access_token"]
    # A seller bearer with FullAccess (so ApiClientReader): allowed.
    response = await introspect(client, token, shop.auth)
    assert response.json()["active"] is True
    # A buyer's bearer: refused whatever its roles.
    response = await introspect(client, token, bearer(token))
    assert response.status_code == 403
    # A client without a secret, or no credentials at all: 401.
    response = await client.post("/oauth/introspect", data={"token": token, "client_id": public})
    assert_oauth(response, 401, "invalid_client", "Auth.ClientSecretRequired")
    response = await client.post("/oauth/introspect", data={"token": token})
    assert_oauth(response, 401, "invalid_client", "Auth.ClientAuthenticationRequired")
    assert response.headers["www-authenticate"].startswith("Basic")
    response = await introspect(client, token, basic(client_id, "wrong"))
    assert_oauth(response, 401, "invalid_client", "Auth.InvalidClientSecret")
    assert await me_status(client, "x") == INVALID


async def test_introspection_runs_no_query_when_warm(
    client: httpx.AsyncClient, shop: Marketplace, runtime: Runtime
) -> None:
    """The cached verification path: key in memory, standing cached, revoked set in memory.
    The caller authenticates with a bearer, itself verified the same way."""
    client_id = await secret_client(client, shop)
    token = (await login(client, client_id))["access_token"]
    revoked = (await login(client, client_id))["access_token"]
    await revoke(client, client_id, revoked)
    for found in (token, revoked):
        await introspect(client, found, shop.auth)  # warm the caches
    with all_statements(runtime.db) as statements:
        active = await introspect(client, token, shop.auth)
        inactive = await introspect(client, revoked, shop.auth)
        used = await client.get("/v1/me", headers=bearer(revoked))
    assert active.json()["active"] is True
    assert inactive.json() == {"active": False}
    assert used.status_code == 401
    assert statements == []


# --- RFC 8414 metadata ----------------------------------------------------------------------


async def test_metadata_is_complete_and_valid(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from authlib.oauth2.rfc8414 import AuthorizationServerMetadata

    body = (await client.get("/.well-known/oauth-authorization-server")).json()
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")  # the test server's issuer is http
    metadata = AuthorizationServerMetadata(body)
    # authlib's validator, field by field; it takes an empty ``response_types_supported`` for
    # a missing one. RFC 8414 requires the array, which is empty here: there is no
    # authorization endpoint, so no response type is supported.
    checked = [name for name in metadata.REGISTRY_KEYS if name != "response_types_supported"]
    for name in checked:
        getattr(metadata, f"validate_{name}")()
    assert body["response_types_supported"] == []
    assert "authorization_endpoint" not in body
    base = body["issuer"]
    assert body["revocation_endpoint"] == f"{base}/oauth/revoke"
    assert body["introspection_endpoint"] == f"{base}/oauth/introspect"
    for endpoint in ("token", "revocation"):
        assert body[f"{endpoint}_endpoint_auth_methods_supported"] == [
            "client_secret_basic",
            "client_secret_post",
            "none",
        ]
    assert body["introspection_endpoint_auth_methods_supported"] == [
        "client_secret_basic",
        "client_secret_post",
    ]
    assert "FullAccess" in body["scopes_supported"] and "Shopper" in body["scopes_supported"]
    assert body["grant_types_supported"] == ["password", "client_credentials", "refresh_token"]
    for endpoint in ("token_endpoint", "revocation_endpoint", "introspection_endpoint"):
        path = body[endpoint].removeprefix(base)
        assert (await client.post(path, data={})).status_code in (400, 401), endpoint


@pytest.fixture
async def shop(
    client: httpx.AsyncClient, runtime: Runtime, marketplace: Marketplace
) -> Marketplace:
    return await jane_shop(client, runtime, marketplace)
