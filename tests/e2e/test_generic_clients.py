"""Generic, standard OAuth tooling against a real server process (issue 11): authlib's
``OAuth2Session`` (requests) and ``AsyncOAuth2Client`` (httpx), requests-oauthlib, and PyJWT's
``PyJWKClient``. Each is configured as its documentation says, with nothing Gatehouse-specific
beyond URLs and credentials (README "Client recipes"). npm ``jose``: tests/e2e_js/jose.test.mjs.

What each needed:
- authlib: nothing. (1.9 sends Basic credentials without RFC 6749 §2.3.1's form-encoding and
  as Latin-1; Gatehouse tries the secret as sent too, so a legacy secret with ``:``, ``%``,
  ``+``, a space or ``é`` works with ``client_secret_basic``.)
- requests-oauthlib: ``OAUTHLIB_INSECURE_TRANSPORT=1`` for this plain-http test server (it
  refuses http token URLs otherwise; production is https). Like authlib 1.9 and ``curl -u``,
  it sends Basic credentials without RFC 6749's form-encoding step, which Gatehouse accepts
  too (``oauth.client_auth``).
- PyJWKClient: the JWKS URL; ``require=["iat", ...]`` now passes.
"""

from __future__ import annotations

import asyncio
import json
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import jwt
import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session
from oauthlib.oauth2 import BackendApplicationClient, LegacyApplicationClient
from requests_oauthlib import OAuth2Session as OAuthlibSession

from tests.support.server import gatehouse, server

with warnings.catch_warnings():
    # authlib 1.9 prefers the ``httpx2`` package and warns when it finds only ``httpx``, with
    # which it still works (and which this project uses).
    warnings.simplefilter("ignore", DeprecationWarning)
    from authlib.integrations.httpx_client import AsyncOAuth2Client

pytestmark = [pytest.mark.asyncio, pytest.mark.slow]
USERNAME, PASSWORD = "generic-admin", "Generic-Passw0rd-1"
LEGACY_SECRET = "s3cr:t%+ é/="


@dataclass(frozen=True)
class Setup:
    base: str
    client_id: str
    secret: str
    """A named secret: URL-safe, as Gatehouse generates them."""

    @property
    def token_url(self) -> str:
        return f"{self.base}/oauth/token"

    @property
    def revoke_url(self) -> str:
        return f"{self.base}/oauth/revoke"

    @property
    def introspect_url(self) -> str:
        return f"{self.base}/oauth/introspect"


def _setup(base: str, database_url: str) -> Setup:
    created = gatehouse(
        *["marketplace", "create", "--name", "Generic", "--admin-username", USERNAME],
        *["--admin-password", PASSWORD, "--json", "--database-url", database_url],
    )
    creds = json.loads(created.stdout)
    form = {
        "grant_type": "password",
        "client_id": creds["ApiClientID"],
        "username": USERNAME,
        "password": PASSWORD,
    }
    admin = httpx.post(f"{base}/oauth/token", data=form).json()["access_token"]
    auth = {"Authorization": f"Bearer {admin}"}
    body = {
        "AppName": "Generic tools",
        "AccessTokenDuration": 30,
        "RefreshTokenDuration": 60,
        "AllowSeller": True,
        "ClientSecret": LEGACY_SECRET,
        "DefaultContextUserName": USERNAME,
    }
    client = httpx.post(f"{base}/v1/apiclients", json=body, headers=auth).json()
    secret = httpx.post(
        f"{base}/v1/apiclients/{client['ID']}/secrets", json={"Name": "tools"}, headers=auth
    ).json()["ClientSecret"]
    return Setup(base, client["ID"], secret)


@pytest.fixture
def setup(fresh_database_url: str) -> Iterator[Setup]:
    with server(fresh_database_url) as (base, _process):
        yield _setup(base, fresh_database_url)


def me_status(base: str, token: str) -> int:
    return httpx.get(f"{base}/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code


def _authlib_session(setup: Setup, method: str, secret: str) -> dict[str, Any]:
    session = OAuth2Session(
        setup.client_id,
        secret,
        token_endpoint_auth_method=method,
        revocation_endpoint_auth_method=method,
    )
    token = session.fetch_token(setup.token_url, username=USERNAME, password=PASSWORD)
    assert session.get(f"{setup.base}/v1/me").status_code == 200  # authlib sends the bearer
    refreshed = session.refresh_token(setup.token_url, refresh_token=token["refresh_token"])
    assert me_status(setup.base, refreshed["access_token"]) == 200
    found = session.introspect_token(setup.introspect_url, token=token["access_token"])
    assert found.status_code == 200 and found.json()["active"] is True
    assert found.json()["username"] == USERNAME
    revoked = session.revoke_token(
        setup.revoke_url, token=token["access_token"], token_type_hint="access_token"
    )
    assert revoked.status_code == 200
    assert me_status(setup.base, token["access_token"]) == 401
    after = session.introspect_token(setup.introspect_url, token=token["access_token"])
    assert after.json() == {"active": False}
    return dict(token)


async def test_authlib_oauth2_session_basic_and_post(setup: Setup) -> None:
    for method in ("client_secret_basic", "client_secret_post"):
        for secret in (setup.secret, LEGACY_SECRET):
            await asyncio.to_thread(_authlib_session, setup, method, secret)


async def test_authlib_async_client_credentials(setup: Setup) -> None:
    for method in ("client_secret_basic", "client_secret_post"):
        async with AsyncOAuth2Client(
            setup.client_id,
            setup.secret,
            token_endpoint_auth_method=method,
            revocation_endpoint_auth_method=method,
        ) as client:
            token = await client.fetch_token(setup.token_url, grant_type="client_credentials")
            assert (await client.get(f"{setup.base}/v1/me")).status_code == 200
            found = await client.introspect_token(setup.introspect_url, token=token["access_token"])
            assert found.json()["active"] is True
            assert found.json()["client_id"] == setup.client_id
            revoked = await client.revoke_token(setup.revoke_url, token=token["access_token"])
            assert revoked.status_code == 200
            assert (await client.get(f"{setup.base}/v1/me")).status_code == 401


def _requests_oauthlib(setup: Setup) -> None:
    password = OAuthlibSession(client=LegacyApplicationClient(client_id=setup.client_id))
    password.fetch_token(
        setup.token_url,
        username=USERNAME,
        password=PASSWORD,
        client_id=setup.client_id,
        client_secret=setup.secret,  # sent as HTTP Basic
    )
    assert password.get(f"{setup.base}/v1/me").status_code == 200
    refreshed = password.refresh_token(
        setup.token_url, auth=requests.auth.HTTPBasicAuth(setup.client_id, setup.secret)
    )
    assert me_status(setup.base, refreshed["access_token"]) == 200
    machine = OAuthlibSession(client=BackendApplicationClient(client_id=setup.client_id))
    issued = machine.fetch_token(
        setup.token_url, client_id=setup.client_id, client_secret=setup.secret
    )
    assert me_status(setup.base, issued["access_token"]) == 200
    # A legacy secret with reserved characters: through the form (client_secret_post).
    posted = machine.fetch_token(
        setup.token_url,
        client_id=setup.client_id,
        client_secret=LEGACY_SECRET,
        include_client_id=True,
    )
    assert me_status(setup.base, posted["access_token"]) == 200


async def test_requests_oauthlib(setup: Setup, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # the test server speaks http
    await asyncio.to_thread(_requests_oauthlib, setup)


def _pyjwk(setup: Setup) -> None:
    form = {"grant_type": "client_credentials"}
    token = httpx.post(setup.token_url, data=form, auth=(setup.client_id, setup.secret)).json()
    access = token["access_token"]
    metadata = httpx.get(f"{setup.base}/.well-known/oauth-authorization-server").json()
    keys = jwt.PyJWKClient(metadata["jwks_uri"])
    key = keys.get_signing_key_from_jwt(access)
    claims = jwt.decode(
        access,
        key.key,
        algorithms=["RS256"],
        audience=setup.base,
        issuer=setup.base,
        options={"require": ["iat", "exp", "nbf", "jti", "sub", "client_id", "scope"]},
    )
    assert claims["client_id"] == claims["cid"] == setup.client_id
    tampered = access[:-6] + ("AAAAAA" if not access.endswith("AAAAAA") else "BBBBBB")
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(tampered, key.key, algorithms=["RS256"], audience=setup.base)


async def test_pyjwt_pyjwkclient(setup: Setup) -> None:
    await asyncio.to_thread(_pyjwk, setup)
