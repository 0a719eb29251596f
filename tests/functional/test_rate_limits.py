"""Rate limits through HTTP: the configuration endpoints (roles, bad input, 404s), 429 with
``Retry-After`` and the OrderCloud body on ``/oauth/token`` and on ``/v1``, no collateral for
other clients, marketplace defaults, cache invalidation (same process and another app on the
same database), and the per-username failed-password throttle at 100 failures an hour."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any, cast

import httpx
import pytest
from fastapi import FastAPI

from gatehouse.app import create_app
from gatehouse.ratelimit.counters import InProcessCounters
from gatehouse.runtime import Runtime
from gatehouse.settings import Settings
from tests.factories.clock import AdjustableClock
from tests.factories.companies import PASSWORD, company_user, headers_with, user
from tests.factories.marketplaces import ADMIN_PASSWORD, BASE_URL, Marketplace, password_token
from tests.factories.rate_limits import (
    assert_rate_limited,
    first_error,
    limits_url,
    new_client,
    put_limits,
)
from tests.factories.tokens import token_with

pytestmark = pytest.mark.asyncio
UNLIMITED = {
    "TokenRequestsPerMinute": None,
    "TokenBurst": None,
    "ApiRequestsPerMinute": None,
    "ApiBurst": None,
}


async def admin_login(client: httpx.AsyncClient, mp: Marketplace, client_id: str) -> httpx.Response:
    return await password_token(client, client_id, mp.credentials.username, ADMIN_PASSWORD)


async def admin_auth(client: httpx.AsyncClient, mp: Marketplace, client_id: str) -> dict[str, str]:
    response = await admin_login(client, mp, client_id)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


# -- configuration ------------------------------------------------------------------------------


async def test_defaults_are_unlimited_and_client_limits_round_trip(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    cid = await new_client(client, marketplace)
    default = await client.get("/gatehouse/ratelimits", headers=marketplace.auth)
    assert default.status_code == 200
    assert default.json() == UNLIMITED
    got = await client.get(limits_url(cid), headers=marketplace.auth)
    assert got.json() == {**UNLIMITED, "Source": "Marketplace"}

    put = await client.put(
        limits_url(cid.upper()),
        headers=marketplace.auth,
        json={"TokenRequestsPerMinute": 30, "ApiRequestsPerMinute": 600, "ApiBurst": 50},
    )
    assert put.status_code == 200, put.text
    expected = {
        "TokenRequestsPerMinute": 30,
        "TokenBurst": 30,  # omitted burst: one minute's worth
        "ApiRequestsPerMinute": 600,
        "ApiBurst": 50,
        "Source": "ApiClient",
    }
    assert put.json() == expected
    assert (await client.get(limits_url(cid), headers=marketplace.auth)).json() == expected

    deleted = await client.delete(limits_url(cid), headers=marketplace.auth)
    assert deleted.status_code == 204
    assert (await client.get(limits_url(cid), headers=marketplace.auth)).json()["Source"] == (
        "Marketplace"
    )
    again = await client.delete(limits_url(cid), headers=marketplace.auth)
    assert again.status_code == 204


async def test_marketplace_default_applies_to_clients_without_their_own(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    cid = await new_client(client, marketplace)
    put = await client.put(
        "/gatehouse/ratelimits", headers=marketplace.auth, json={"ApiRequestsPerMinute": 1000}
    )
    assert put.status_code == 200, put.text
    assert put.json() == {**UNLIMITED, "ApiRequestsPerMinute": 1000, "ApiBurst": 1000}
    got = await client.get(limits_url(cid), headers=marketplace.auth)
    assert got.json() == {**put.json(), "Source": "Marketplace"}
    reread = await client.get("/gatehouse/ratelimits", headers=marketplace.auth)
    assert reread.json() == put.json()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"TokenRequestsPerMinute": -1}, "TokenRequestsPerMinute"),
        ({"TokenRequestsPerMinute": 0}, "TokenRequestsPerMinute"),
        ({"TokenRequestsPerMinute": 1_000_001}, "TokenRequestsPerMinute"),
        ({"TokenRequestsPerMinute": 10**30}, "TokenRequestsPerMinute"),
        ({"TokenRequestsPerMinute": 60, "TokenBurst": 0}, "TokenBurst"),
        ({"TokenRequestsPerMinute": 60, "TokenBurst": -5}, "TokenBurst"),
        ({"ApiRequestsPerMinute": 60, "ApiBurst": 2_000_000}, "ApiBurst"),
        ({"ApiBurst": 10}, "ApiBurst"),
        ({"ApiRequestsPerMinute": "60"}, "ApiRequestsPerMinute"),
        ({"ApiRequestsPerMinute": 1.5}, "ApiRequestsPerMinute"),
        ({"ApiRequestsPerMinute": True}, "ApiRequestsPerMinute"),
    ],
)
async def test_bad_limits_are_refused_and_nothing_is_written(
    client: httpx.AsyncClient, marketplace: Marketplace, body: dict[str, Any], field: str
) -> None:
    cid = await new_client(client, marketplace)
    for url in (limits_url(cid), "/gatehouse/ratelimits"):
        response = await client.put(url, headers=marketplace.auth, json=body)
        assert response.status_code == 400, response.text
        error = first_error(response)
        assert error["ErrorCode"] == "ValidationFailure"
        assert error["Data"]["Field"] == field
    assert (await client.get(limits_url(cid), headers=marketplace.auth)).json()["Source"] == (
        "Marketplace"
    )
    assert (await client.get("/gatehouse/ratelimits", headers=marketplace.auth)).json() == (
        UNLIMITED
    )


async def test_malformed_bodies(client: httpx.AsyncClient, marketplace: Marketplace) -> None:
    cid = await new_client(client, marketplace)
    for content in (b"{", b"[]", b"null"):
        response = await client.put(
            limits_url(cid),
            headers={**marketplace.auth, "Content-Type": "application/json"},
            content=content,
        )
        assert response.status_code == 400, response.text
        assert first_error(response)["ErrorCode"] == "Request.InvalidRequestBody"


async def test_unknown_and_foreign_clients_are_not_found(
    client: httpx.AsyncClient, marketplace: Marketplace, runtime: Runtime
) -> None:
    from gatehouse.services.marketplaces import create_marketplace

    other = await create_marketplace(
        runtime.db,
        runtime.hasher,
        runtime.clock,
        name="Other",
        admin_username=f"other-{secrets.token_hex(4)}",
        admin_password=ADMIN_PASSWORD,
    )
    for cid in ("no-such-client", other.api_client_id, "x" * 5000):
        for method in ("GET", "PUT", "DELETE"):
            response = await client.request(
                method, limits_url(cid), headers=marketplace.auth, json={}
            )
            assert response.status_code == 404, response.text
            error = first_error(response)
            assert error["ErrorCode"] == "NotFound"
            assert error["Data"] == {"ObjectType": "ApiClient", "ObjectID": cid}


async def test_roles_and_seller_only(
    client: httpx.AsyncClient, marketplace: Marketplace, runtime: Runtime
) -> None:
    cid = await new_client(client, marketplace)
    routes = [("GET", limits_url(cid)), ("GET", "/gatehouse/ratelimits")]
    writes = [
        ("PUT", limits_url(cid)),
        ("DELETE", limits_url(cid)),
        ("PUT", "/gatehouse/ratelimits"),
    ]
    for method, url in routes + writes:
        assert (await client.request(method, url, json={})).status_code == 401
    reader = await headers_with(runtime, marketplace, ["ApiClientReader"])
    admin = await headers_with(runtime, marketplace, ["ApiClientAdmin"])
    nobody = await headers_with(runtime, marketplace, ["BuyerReader", "MeAdmin"])
    for method, url in routes:
        assert (await client.request(method, url, headers=reader)).status_code == 200
    for method, url in writes:
        response = await client.request(method, url, headers=reader, json={})
        assert response.status_code == 403
        assert first_error(response)["ErrorCode"] == "Auth.InsufficientRoles"
        assert set(first_error(response)["Data"]["SufficientRoles"]) == {
            "FullAccess",
            "ApiClientAdmin",
        }
        assert (await client.request(method, url, headers=admin, json={})).status_code < 300
    for method, url in routes + writes:
        response = await client.request(method, url, headers=nobody, json={})
        assert response.status_code == 403
    for kind in ("buyer", "supplier"):
        internal_id, username = await company_user(runtime, marketplace, kind)
        company = await token_with(
            runtime, marketplace, ["FullAccess"], usrtype=kind, u=str(internal_id), usr=username
        )
        for method, url in routes + writes:
            response = await client.request(method, url, headers=company, json={})
            assert response.status_code == 403, response.text
            assert first_error(response)["ErrorCode"] == "Auth.UserNotAuthorizedToAdmin"


# -- the token endpoint -------------------------------------------------------------------------


async def test_token_endpoint_bucket_429_then_refills_without_collateral(
    client: httpx.AsyncClient, marketplace: Marketplace, clock: AdjustableClock
) -> None:
    limited = await new_client(client, marketplace, "Limited")
    other = await new_client(client, marketplace, "Other")
    await put_limits(client, marketplace, limited, TokenRequestsPerMinute=1, TokenBurst=2)

    assert (await admin_login(client, marketplace, limited)).status_code == 200
    wrong = await password_token(client, limited, marketplace.credentials.username, "Wr0ng!")
    assert wrong.status_code == 400  # failures take tokens too
    refused = await admin_login(client, marketplace, limited)
    assert_rate_limited(refused, 60, "RateLimit.Exceeded")
    body = refused.json()
    assert body["error"] == "slow_down"
    assert body["error_description"] == body["Errors"][0]["Message"]
    assert refused.headers["Cache-Control"] == "no-store"
    assert "access_token" not in body

    # No collateral: the marketplace's own client and another client still get tokens.
    for cid in (other, marketplace.client_id, other):
        assert (await admin_login(client, marketplace, cid)).status_code == 200

    clock.advance(timedelta(seconds=60))  # 1/min: one more token
    assert (await admin_login(client, marketplace, limited)).status_code == 200
    assert (await admin_login(client, marketplace, limited)).status_code == 429


async def test_slow_refill_gives_a_longer_retry_after(
    client: httpx.AsyncClient, marketplace: Marketplace, clock: AdjustableClock
) -> None:
    cid = await new_client(client, marketplace)
    await put_limits(client, marketplace, cid, TokenRequestsPerMinute=2, TokenBurst=1)
    assert (await admin_login(client, marketplace, cid)).status_code == 200
    assert_rate_limited(await admin_login(client, marketplace, cid), 30, "RateLimit.Exceeded")
    clock.advance(timedelta(seconds=20))
    assert_rate_limited(await admin_login(client, marketplace, cid), 10, "RateLimit.Exceeded")
    clock.advance(timedelta(seconds=10))
    assert (await admin_login(client, marketplace, cid)).status_code == 200


async def test_every_grant_counts_and_unknown_clients_get_no_bucket(
    client: httpx.AsyncClient, marketplace: Marketplace, runtime: Runtime
) -> None:
    cid = await new_client(client, marketplace)
    await put_limits(client, marketplace, cid, TokenRequestsPerMinute=1, TokenBurst=1)
    refused = await client.post(
        "/oauth/token", data={"grant_type": "client_credentials", "client_id": cid}
    )
    assert refused.status_code in (400, 401)  # took the only token
    again = await client.post("/oauth/token", data={"grant_type": "nonsense", "client_id": cid})
    assert_rate_limited(again, 60, "RateLimit.Exceeded")

    counters = cast(InProcessCounters, runtime.limits.counters)
    before = counters.sizes()
    for _ in range(20):
        unknown = await client.post(
            "/oauth/token",
            data={
                "grant_type": "password",
                "client_id": secrets.token_hex(16),
                "username": "x",
                "password": "y",
            },
        )
        assert unknown.status_code == 401
        assert first_error(unknown)["ErrorCode"] == "ApiClient.InvalidClientID"
    # An unknown client's request makes no bucket (the failure windows need a marketplace,
    # which an unknown client does not name).
    assert counters.sizes() == before


# -- the API ------------------------------------------------------------------------------------


async def test_api_bucket_429_without_collateral(
    client: httpx.AsyncClient, marketplace: Marketplace, clock: AdjustableClock
) -> None:
    limited = await new_client(client, marketplace, "Limited")
    other = await new_client(client, marketplace, "Other")
    limited_auth = await admin_auth(client, marketplace, limited)
    other_auth = await admin_auth(client, marketplace, other)
    await put_limits(client, marketplace, limited, ApiRequestsPerMinute=1, ApiBurst=3)

    for _ in range(3):
        assert (await client.get("/v1/me", headers=limited_auth)).status_code == 200
    refused = await client.get("/v1/apiclients", headers=limited_auth)
    assert_rate_limited(refused, 60, "RateLimit.Exceeded")
    assert set(refused.json()) == {"Errors"}

    for _ in range(5):  # other clients, even of the same user, are not affected
        assert (await client.get("/v1/me", headers=other_auth)).status_code == 200
        assert (await client.get("/v1/me", headers=marketplace.auth)).status_code == 200
    # /gatehouse/ is not the API: an operator can still read and lift the limit.
    lifted = await client.delete(limits_url(limited), headers=limited_auth)
    assert lifted.status_code == 204
    for _ in range(5):
        assert (await client.get("/v1/me", headers=limited_auth)).status_code == 200


async def test_invalid_tokens_are_401_and_take_nothing(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    limited = await new_client(client, marketplace)
    auth = await admin_auth(client, marketplace, limited)
    await put_limits(client, marketplace, limited, ApiRequestsPerMinute=1, ApiBurst=1)
    bad = {"Authorization": auth["Authorization"][:-4] + "AAAA"}
    for _ in range(3):
        assert (await client.get("/v1/me", headers=bad)).status_code == 401
    assert (await client.get("/v1/me", headers=auth)).status_code == 200
    assert (await client.get("/v1/me", headers=auth)).status_code == 429


async def test_marketplace_default_limits_and_client_override(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    free = await new_client(client, marketplace, "Free")
    capped = await new_client(client, marketplace, "Capped")
    free_auth = await admin_auth(client, marketplace, free)
    capped_auth = await admin_auth(client, marketplace, capped)
    await put_limits(client, marketplace, free)  # its own row: everything unlimited
    put = await client.put(
        "/gatehouse/ratelimits",
        headers=marketplace.auth,
        json={"ApiRequestsPerMinute": 1, "ApiBurst": 2},
    )
    assert put.status_code == 200
    for _ in range(2):
        assert (await client.get("/v1/me", headers=capped_auth)).status_code == 200
    assert (await client.get("/v1/me", headers=capped_auth)).status_code == 429
    for _ in range(5):
        assert (await client.get("/v1/me", headers=free_auth)).status_code == 200


async def test_changes_apply_at_once_and_steady_state_reads_no_limits(
    client: httpx.AsyncClient, marketplace: Marketplace, runtime: Runtime
) -> None:
    cid = await new_client(client, marketplace)
    auth = await admin_auth(client, marketplace, cid)
    assert (await client.get("/v1/me", headers=auth)).status_code == 200
    loads = runtime.limits.config.loads
    for _ in range(10):
        assert (await client.get("/v1/me", headers=auth)).status_code == 200
        assert (await admin_login(client, marketplace, cid)).status_code == 200
    assert runtime.limits.config.loads == loads  # cached: no query per request

    await put_limits(client, marketplace, cid, ApiRequestsPerMinute=1, ApiBurst=1)
    assert (await client.get("/v1/me", headers=auth)).status_code == 200
    assert (await client.get("/v1/me", headers=auth)).status_code == 429
    deleted = await client.delete(limits_url(cid), headers=marketplace.auth)
    assert deleted.status_code == 204
    assert (await client.get("/v1/me", headers=auth)).status_code == 200


@pytest.fixture
async def second_app(settings: Settings, clock: AdjustableClock) -> AsyncIterator[FastAPI]:
    """Another app (another process's caches) on the same database."""
    application = create_app(settings, clock=clock)
    async with application.router.lifespan_context(application):
        yield application


async def test_another_process_sees_limit_changes(
    client: httpx.AsyncClient, marketplace: Marketplace, second_app: FastAPI
) -> None:
    cid = await new_client(client, marketplace)
    transport = httpx.ASGITransport(app=second_app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as other:
        auth = await admin_auth(other, marketplace, cid)
        assert (await other.get("/v1/me", headers=auth)).status_code == 200  # cached: unlimited
        await put_limits(client, marketplace, cid, ApiRequestsPerMinute=1, ApiBurst=1)
        statuses = []
        for _ in range(50):  # PostgreSQL notices arrive asynchronously
            statuses.append((await other.get("/v1/me", headers=auth)).status_code)
            if statuses[-1] == 429:
                break
            await asyncio.sleep(0.05)
        assert statuses[-1] == 429, statuses
        assert statuses.count(200) <= 2, statuses


# -- failed passwords per username --------------------------------------------------------------


async def fail_times(client: httpx.AsyncClient, client_id: str, username: str, times: int) -> None:
    for _ in range(times):
        response = await password_token(client, client_id, username, "Wr0ngPassword!")
        assert response.status_code == 400, response.text
        assert first_error(response)["ErrorCode"] == "Auth.InvalidUsernameOrPassword"


async def test_a_hundred_failures_an_hour_then_refused_without_checking_the_password(
    client: httpx.AsyncClient, marketplace: Marketplace, clock: AdjustableClock
) -> None:
    for name in ("victim", "bystander"):
        created = await client.post(
            "/v1/adminusers", headers=marketplace.auth, json=user(ID=name, Username=name)
        )
        assert created.status_code == 201, created.text
    cid = marketplace.client_id
    await fail_times(client, cid, "victim", 60)
    clock.advance(timedelta(minutes=30))
    await fail_times(client, cid, "VICTIM", 40)  # usernames compare case-insensitively

    refused = await password_token(client, cid, "victim", PASSWORD)  # even the right one
    assert_rate_limited(refused, 1800, "Auth.TooManyFailedAttempts", slack=120)
    assert refused.json()["error"] == "slow_down"
    # Another username is unaffected, and so is the same username in another marketplace.
    assert (await password_token(client, cid, "bystander", PASSWORD)).status_code == 200

    # Sliding hour: once the first 60 failures are older than an hour, attempts resume.
    clock.advance(timedelta(minutes=30, seconds=1))
    ok = await password_token(client, cid, "victim", PASSWORD)
    assert ok.status_code == 200, ok.text
    await fail_times(client, cid, "victim", 59)  # 40 + 59 = 99 in the window, plus
    await fail_times(client, cid, "victim", 1)  # the 100th
    assert (await password_token(client, cid, "victim", PASSWORD)).status_code == 429


async def test_unknown_usernames_are_throttled_alike(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    """The same answers as for a real user: the throttle tells nothing about existence."""
    cid = marketplace.client_id
    await fail_times(client, cid, "nobody-here", 100)
    refused = await password_token(client, cid, "nobody-here", PASSWORD)
    assert_rate_limited(refused, 3600, "Auth.TooManyFailedAttempts", slack=120)
    # The admin's successful logins never count.
    for _ in range(3):
        assert (await admin_login(client, marketplace, cid)).status_code == 200


# -- the CLI ------------------------------------------------------------------------------------


async def cli(database_url: str, *args: str) -> tuple[int, str, str]:
    from tests.support.server import gatehouse

    result = await asyncio.to_thread(gatehouse, "ratelimits", *args, "--database-url", database_url)
    return result.returncode, result.stdout, result.stderr


@pytest.mark.slow
async def test_cli_sets_shows_and_clears_and_a_running_server_follows(
    client: httpx.AsyncClient, marketplace: Marketplace, database_url: str
) -> None:
    import json

    cid = await new_client(client, marketplace)
    auth = await admin_auth(client, marketplace, cid)
    assert (await client.get("/v1/me", headers=auth)).status_code == 200  # cached: unlimited

    code, out, _ = await cli(
        database_url, "set", "--client-id", cid.upper(), "--api-per-minute", "1", "--json"
    )
    assert code == 0
    assert json.loads(out) == {
        **UNLIMITED,
        "ApiRequestsPerMinute": 1,
        "ApiBurst": 1,
        "Source": "ApiClient",
    }
    statuses = []
    for _ in range(50):  # PostgreSQL notices arrive asynchronously
        statuses.append((await client.get("/v1/me", headers=auth)).status_code)
        if statuses[-1] == 429:
            break
        await asyncio.sleep(0.05)
    assert statuses[-1] == 429, statuses

    code, out, _ = await cli(database_url, "show", "--client-id", cid)
    assert code == 0
    assert "ApiRequestsPerMinute: 1" in out
    assert "TokenRequestsPerMinute: unlimited" in out
    code, out, _ = await cli(database_url, "clear", "--client-id", cid, "--json")
    assert code == 0
    assert json.loads(out) == {**UNLIMITED, "Source": "Marketplace"}

    code, out, _ = await cli(
        database_url, "set", "--marketplace", marketplace.id, "--token-per-minute", "500", "--json"
    )
    assert code == 0
    assert json.loads(out) == {**UNLIMITED, "TokenRequestsPerMinute": 500, "TokenBurst": 500}
    got = await client.get("/gatehouse/ratelimits", headers=marketplace.auth)
    assert got.json() == json.loads(out)


@pytest.mark.slow
async def test_cli_bad_input(marketplace: Marketplace, database_url: str) -> None:
    # Exit codes (issue 13): 2 bad input, 4 an unknown client or marketplace.
    for expected, args in (
        (4, ("show", "--client-id", "nope")),
        (2, ("set", "--client-id", marketplace.client_id, "--api-per-minute", "0")),
        (2, ("set", "--client-id", marketplace.client_id, "--api-burst", "5")),
        (4, ("set", "--marketplace-id", "no-such-marketplace", "--api-per-minute", "5")),
        (2, ("show",)),
        (2, ("show", "--client-id", marketplace.client_id, "--marketplace", marketplace.id)),
    ):
        code, out, err = await cli(database_url, *args)
        assert code == expected, (args, out, err)
        assert out == ""
        assert "error" in err
        assert "Traceback" not in err
