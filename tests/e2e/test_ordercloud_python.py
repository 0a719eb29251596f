"""Drives a real server process through the third-party PyPI SDK ``ordercloud-python``
(2026.10.2, the ``ordercloud`` package) and nothing else: every call below is an SDK call, with
the SDK's ``base_url`` set to ``{server}/v1`` and its ``auth_url`` to ``{server}/oauth/token``
(Gatehouse serves both on one origin).

What the SDK does, and how these tests live with it (SDK quirks, not Gatehouse bugs):

- Password login has no public entry point on ``OrderCloudClient``: it lives on the client's
  private ``TokenManager`` (``client._token_manager.authenticate_password(client._http._client,
  username, password)``). :func:`password_client` reaches it there.
- Token-endpoint failures are **not** the SDK's error type: ``TokenManager`` calls
  ``raise_for_status()``, so a refused login surfaces as ``httpx.HTTPStatusError``; our OAuth
  error body (``error``, ``error_description``, ``Errors[0].ErrorCode``) is on its ``response``.
  Only ``/v1`` errors become ``OrderCloudError`` (``AuthenticationError`` for 401/403).
- Refresh is automatic and implicit: when the cached token is within 30 s of ``expires_in``, the
  SDK sends ``grant_type=refresh_token`` with ``client_id`` and the refresh token and **never a
  client secret**, so refresh only works on clients without a secret (Gatehouse, like
  OrderCloud, requires the secret on every grant of a client that has one). When a refresh is
  refused the SDK silently falls back to ``client_credentials`` with the configured secret.
  The tests move the SDK's clock (``ordercloud.auth.time``) forward instead of waiting.
- After a refresh the SDK replaces its stored refresh token with the response's
  ``refresh_token`` (an empty string when absent). Gatehouse therefore answers a refresh with
  the same, unrotated refresh token (see docs/behaviour.md), so the second and later refreshes
  keep working: :func:`test_the_sdk_refreshes_an_expiring_password_session_again_and_again`.
- ``SyncOrderCloudClient`` wraps the async client in its own event loop (so tests drive it
  from a thread) and attaches its resources at run time, which type checkers cannot see.
- The SDK's ``ApiClient`` model serialises read-only defaults (``AnonymousTokenDuration``
  10080, ``AssignedBuyerCount``/``AssignedSupplierCount`` 0) and ``User`` sends
  ``FailedLoginAttempts`` 0; Gatehouse ignores read-only properties, as OrderCloud does.

The server runs on the suite's backend (``GATEHOUSE_TEST_DB``: SQLite or PostgreSQL).
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qs

import httpx
import jwt
import pytest
import pytest_asyncio
from ordercloud import (
    AuthenticationError,
    OrderCloudClient,
    OrderCloudError,
    SyncOrderCloudClient,
)
from ordercloud import auth as sdk_auth
from ordercloud.middleware import RequestContext
from ordercloud.models.api_client import ApiClient
from ordercloud.models.assignments import SecurityProfileAssignment
from ordercloud.models.buyer import Buyer
from ordercloud.models.security import SecurityProfile
from ordercloud.models.user import User

from tests.conftest import empty_database
from tests.support.server import gatehouse, server

pytestmark = [pytest.mark.asyncio(loop_scope="session"), pytest.mark.e2e, pytest.mark.slow]
ADMIN, PASSWORD = "py-admin", "Py-Passw0rd-1"


@dataclass(frozen=True)
class Served:
    """A running server and the marketplace ``gatehouse marketplace create --json`` made."""

    base: str
    client_id: str  # the marketplace's admin client: no secret, AllowSeller

    @property
    def api(self) -> str:
        return f"{self.base}/v1"

    @property
    def token_url(self) -> str:
        return f"{self.base}/oauth/token"


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def module_database(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    """An empty database on the suite's backend, shared by this module's tests."""
    async with empty_database(tmp_path_factory.mktemp("pyclient"), "py") as url:
        yield url


@pytest.fixture(scope="module")
def served(module_database: str) -> Iterator[Served]:
    with server(module_database) as (base, _process):
        created = gatehouse(
            "marketplace",
            "create",
            "--name",
            "Python SDK",
            "--admin-username",
            ADMIN,
            "--admin-password",
            PASSWORD,
            "--json",
            "--database-url",
            module_database,
        )
        assert created.returncode == 0, created.stderr
        yield Served(base, json.loads(created.stdout)["ApiClientID"])


def sdk(served: Served, client_id: str, secret: str = "", **options: Any) -> OrderCloudClient:
    return OrderCloudClient.create(
        client_id=client_id,
        client_secret=secret,
        base_url=served.api,
        auth_url=served.token_url,
        **options,
    )


async def password_client(
    served: Served, client_id: str, username: str = ADMIN, password: str = PASSWORD
) -> OrderCloudClient:
    """An SDK client logged in with the password grant (the SDK's only way to do it)."""
    client = sdk(served, client_id)
    await client._token_manager.authenticate_password(client._http._client, username, password)
    return client


@pytest_asyncio.fixture(loop_scope="session")
async def admin(served: Served) -> AsyncIterator[OrderCloudClient]:
    client = await password_client(served, served.client_id)
    try:
        yield client
    finally:
        await client.close()


def bearer_tokens(client: OrderCloudClient) -> list[str]:
    """Records the bearer token of every API request the SDK sends from now on."""
    seen: list[str] = []

    async def record(ctx: RequestContext) -> None:
        seen.append(ctx.headers["Authorization"].removeprefix("Bearer "))

    client.add_before_request(record)
    return seen


def token_grants(client: OrderCloudClient) -> list[str]:
    """Records the ``grant_type`` of every token request the SDK sends from now on (through
    the SDK's private httpx client: the SDK has no hook for its token requests)."""
    seen: list[str] = []

    async def record(request: httpx.Request) -> None:
        if request.url.path == "/oauth/token":
            seen.append(parse_qs(request.content.decode())["grant_type"][0])

    client._http._client.event_hooks["request"].append(record)
    return seen


def claims(token: str) -> dict[str, Any]:
    decoded: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return decoded


@pytest.fixture
def sdk_clock(monkeypatch: pytest.MonkeyPatch) -> SimpleNamespace:
    """The SDK's notion of now (``ordercloud.auth.time.time``), movable forward by ``offset``
    seconds so a token expires without waiting; the server's clock is untouched."""
    clock = SimpleNamespace(offset=0.0)
    monkeypatch.setattr(sdk_auth, "time", SimpleNamespace(time=lambda: time.time() + clock.offset))
    return clock


def new_id(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(4)}"


async def test_password_login_then_me_and_the_api_clients_lifecycle(
    served: Served, admin: OrderCloudClient
) -> None:
    me = await admin.me.get()
    assert me.username == ADMIN
    assert me.available_roles == ["FullAccess"]

    listed = await admin.api_clients.list(page_size=100)
    assert served.client_id in [c.id for c in listed.items]
    assert listed.meta.page == 1 and listed.meta.total_count == len(listed.items)

    created = await admin.api_clients.create(
        ApiClient(app_name="From Python", access_token_duration=30, allow_seller=True)
    )
    assert created.id and created.id != served.client_id
    assert created.app_name == "From Python"
    assert created.access_token_duration == 30
    assert created.anonymous_token_duration == 10080
    assert created.assigned_buyer_count == 0

    fetched = await admin.api_clients.get(created.id)
    assert fetched.model_dump() == created.model_dump()

    patched = await admin.api_clients.patch(created.id, {"AppName": "Renamed", "Active": False})
    assert (patched.app_name, patched.active, patched.access_token_duration) == (
        "Renamed",
        False,
        30,
    )
    listed = await admin.api_clients.list(search="Renamed", search_on="AppName")
    assert [c.id for c in listed.items] == [created.id]

    await admin.api_clients.delete(created.id)
    with pytest.raises(OrderCloudError) as missing:
        await admin.api_clients.get(created.id)
    assert type(missing.value) is OrderCloudError
    assert missing.value.status_code == 404
    assert [e.error_code for e in missing.value.errors] == ["NotFound"]
    assert missing.value.errors[0].data == {"ObjectType": "ApiClient", "ObjectID": created.id}


async def test_buyers_buyer_users_and_security_profiles(admin: OrderCloudClient) -> None:
    buyer_id = new_id("py-buyer")
    buyer = await admin.buyers.create(Buyer(id=buyer_id, name="Python Buyer", active=True))
    assert (buyer.id, buyer.name, buyer.active) == (buyer_id, "Python Buyer", True)
    assert buyer.date_created
    assert (await admin.buyers.get(buyer_id)).name == "Python Buyer"
    listed = await admin.buyers.list(search="Python Buyer")
    assert [b.id for b in listed.items] == [buyer_id]

    user = await admin.users.create(
        buyer_id,
        User(
            id="py-shopper",
            username=new_id("shopper"),
            password="Sh0pper-Passw0rd",
            first_name="Py",
            last_name="Shopper",
            email="shopper@example.com",
            active=True,
        ),
    )
    assert user.id == "py-shopper"
    assert user.password is None  # never echoed back
    assert user.failed_login_attempts == 0
    assert (await admin.users.get(buyer_id, "py-shopper")).username == user.username
    users = await admin.users.list(buyer_id)
    assert [u.id for u in users.items] == ["py-shopper"]

    # Other tests of this module add profiles to the same marketplace, in a random order.
    profiles = await admin.security_profiles.list()
    full = [p for p in profiles.items if p.id == "FullAccess"]
    assert len(full) == 1 and full[0].roles == ["FullAccess"]


async def test_client_credentials_log_in_as_the_default_context_user(
    served: Served, admin: OrderCloudClient
) -> None:
    created = await admin.api_clients.create(
        ApiClient(
            app_name="Integration",
            access_token_duration=60,
            allow_seller=True,
            default_context_user_name=ADMIN,
        )
    )
    assert created.id
    secret = await admin.api_clients.create_secret(created.id, {"Name": "py"})
    assert secret.client_secret and len(secret.client_secret) >= 43
    async with sdk(served, created.id, secret.client_secret) as integration:
        tokens = bearer_tokens(integration)
        me = await integration.me.get()
        assert me.username == ADMIN
        again = await integration.api_clients.get(created.id)
        assert again.default_context_user_name == ADMIN
        assert len(set(tokens)) == 1  # one client_credentials grant, cached by the SDK
        token = claims(tokens[0])
        assert (token["cid"], token["usr"], token["role"]) == (created.id, ADMIN, "FullAccess")
        assert token["exp"] - token["nbf"] == 60 * 60

    # A wrong secret is refused at the token endpoint, which the SDK surfaces as httpx's error.
    async with sdk(served, created.id, "not-the-secret") as wrong:
        with pytest.raises(httpx.HTTPStatusError) as refused:
            await wrong.me.get()
    assert refused.value.response.status_code == 401
    body = refused.value.response.json()
    assert body["error"] == "invalid_client"
    assert body["Errors"][0]["ErrorCode"] == "Auth.InvalidClientSecret"


async def test_an_under_privileged_token_gets_the_sdks_authentication_error(
    served: Served, admin: OrderCloudClient
) -> None:
    """A token carrying only MeAdmin and BuyerReader: client_credentials as a client's default
    context user, who holds those roles through a profile assigned to them alone (FullAccess
    belongs to the bootstrap admin only), with the SDK's ``scopes`` asking for just the two."""
    profile = await admin.security_profiles.create(
        SecurityProfile(id=new_id("py-narrow"), name="Narrow", roles=["MeAdmin", "BuyerReader"])
    )
    assert profile.id
    narrow_user = await admin.admin_users.create(
        User(
            username=new_id("narrow"),
            first_name="Narrow",
            last_name="User",
            email="narrow@example.com",
            active=True,
        )
    )
    assert narrow_user.id and narrow_user.username
    await admin.security_profiles.save_assignment(
        SecurityProfileAssignment(security_profile_id=profile.id, user_id=narrow_user.id)
    )
    created = await admin.api_clients.create(
        {  # a plain dict: the SDK's ApiClient model has no ClientSecret (the legacy secret)
            "AppName": "Narrow",
            "AccessTokenDuration": 60,
            "AllowSeller": True,
            "DefaultContextUserName": narrow_user.username,
            "ClientSecret": "Narrow-Client-Secret-1",
        }
    )
    assert created.id
    scopes = ["MeAdmin", "BuyerReader"]
    async with sdk(served, created.id, "Narrow-Client-Secret-1", scopes=scopes) as narrow:
        me = await narrow.me.get()
        assert me.username == narrow_user.username
        assert sorted(me.available_roles or []) == ["BuyerReader", "MeAdmin"]
        await narrow.buyers.list()  # BuyerReader suffices
        with pytest.raises(AuthenticationError) as forbidden:
            await narrow.api_clients.list()
    assert forbidden.value.status_code == 403
    assert [e.error_code for e in forbidden.value.errors] == ["Auth.InsufficientRoles"]
    assert forbidden.value.errors[0].data == {
        "SufficientRoles": ["FullAccess", "ApiClientAdmin", "ApiClientReader"],
        "AssignedRoles": ["BuyerReader", "MeAdmin"],
    }


async def test_the_synchronous_client_works_too(served: Served, admin: OrderCloudClient) -> None:
    """``SyncOrderCloudClient`` runs its own event loop, so it is driven from a thread."""
    created = await admin.api_clients.create(
        ApiClient(
            app_name="Sync",
            access_token_duration=60,
            allow_seller=True,
            default_context_user_name=ADMIN,
        )
    )
    assert created.id
    secret = await admin.api_clients.create_secret(created.id, {"Name": "sync"})
    assert secret.client_secret

    def drive(client_id: str, client_secret: str) -> tuple[str | None, list[str | None]]:
        with SyncOrderCloudClient.create(
            client_id=client_id,
            client_secret=client_secret,
            base_url=served.api,
            auth_url=served.token_url,
        ) as sync_client:
            client: Any = sync_client  # its resources are set at run time: untyped for mypy
            me = client.me.get()
            listed = client.api_clients.list(search="Sync", search_on="AppName")
            return me.username, [c.id for c in listed.items]

    username, ids = await asyncio.to_thread(drive, created.id, secret.client_secret)
    assert username == ADMIN
    assert ids == [created.id]


async def test_a_bad_password_login_surfaces_our_oauth_error(served: Served) -> None:
    async with sdk(served, served.client_id) as client:
        with pytest.raises(httpx.HTTPStatusError) as refused:
            await client._token_manager.authenticate_password(
                client._http._client, ADMIN, "Wrong-Passw0rd-1"
            )
    assert refused.value.response.status_code == 400
    body = refused.value.response.json()
    assert body["error"] == "invalid_grant"
    assert body["Errors"][0]["ErrorCode"] == "Auth.InvalidUsernameOrPassword"


async def test_a_missing_token_is_the_sdks_authentication_error(served: Served) -> None:
    """A client whose grant gave no usable token: the SDK's 401 error type with our code."""
    async with sdk(served, served.client_id) as client:
        # No login at all and a public client: the SDK tries client_credentials and is refused.
        with pytest.raises(httpx.HTTPStatusError) as refused:
            await client.me.get()
    assert refused.value.response.status_code == 401
    assert refused.value.response.json()["Errors"][0]["ErrorCode"] == "Auth.InvalidClientSecret"

    async with httpx.AsyncClient() as raw:
        response = await raw.get(f"{served.api}/me")
    assert response.status_code == 401  # what the SDK would turn into AuthenticationError
    assert response.json()["Errors"][0]["ErrorCode"] == "InvalidToken"


async def test_the_sdk_refreshes_an_expiring_password_session_again_and_again(
    served: Served, admin: OrderCloudClient, sdk_clock: SimpleNamespace
) -> None:
    created = await admin.api_clients.create(
        ApiClient(
            app_name="Refreshing",
            access_token_duration=10,
            refresh_token_duration=60,
            allow_seller=True,
        )
    )
    assert created.id
    session = await password_client(served, created.id)
    try:
        tokens, grants = bearer_tokens(session), token_grants(session)
        assert (await session.me.get()).username == ADMIN
        for _ in range(3):
            sdk_clock.offset += 10 * 60  # the SDK now thinks its token has expired
            assert (await session.me.get()).username == ADMIN
        assert grants == ["refresh_token"] * 3  # never a fallback to client_credentials
        assert len(tokens) == 4
        for token in map(claims, tokens):
            assert (token["cid"], token["usr"], token["role"]) == (created.id, ADMIN, "FullAccess")
    finally:
        await session.close()
