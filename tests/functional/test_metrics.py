"""Per-client metrics after real requests: ``/metrics`` counters, labels and histograms (only
existing clients as ``client_id``, route templates, bounded grant types), its optional bearer
token, and ``GET /gatehouse/apiclients/{id}/usage`` with its bad input."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI

from gatehouse.app import create_app
from gatehouse.crypto import PasswordHasher
from gatehouse.runtime import Runtime
from gatehouse.services.marketplaces import create_marketplace
from gatehouse.settings import Settings
from gatehouse.storage.queries import usage as usage_q
from tests.factories.client_credentials import SECRET, client_credentials, dcu_shop, new_client
from tests.factories.clock import AdjustableClock
from tests.factories.marketplaces import ADMIN_PASSWORD, BASE_URL, Marketplace, password_token
from tests.factories.metrics import scrape

pytestmark = pytest.mark.asyncio


def value(
    samples: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str
) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def token_count(
    samples: dict[tuple[str, frozenset[tuple[str, str]]], float],
    client: str,
    grant: str,
    outcome: str,
) -> float:
    return value(
        samples,
        "gatehouse_token_requests_total",
        client_id=client,
        grant_type=grant,
        outcome=outcome,
    )


async def test_token_requests_by_client_grant_and_outcome(
    client: httpx.AsyncClient, shop: Marketplace
) -> None:
    cid = await new_client(client, shop)
    before = await scrape(client)
    for _ in range(3):
        assert (await client_credentials(client, cid)).status_code == 200
    for _ in range(2):
        refused = await client_credentials(client, cid, secret="wrong-secret")
        assert refused.json()["Errors"][0]["ErrorCode"] == "Auth.InvalidClientSecret"
    wrong = await password_token(client, shop.client_id, shop.credentials.username, "Wr0ng!pass")
    assert wrong.status_code == 400
    after = await scrape(client)
    assert token_count(after, cid, "client_credentials", "issued") == 3
    assert token_count(after, cid, "client_credentials", "Auth.InvalidClientSecret") == 2
    admin_client = shop.client_id
    assert (
        token_count(after, admin_client, "password", "Auth.InvalidUsernameOrPassword")
        - (token_count(before, admin_client, "password", "Auth.InvalidUsernameOrPassword"))
        == 1
    )
    # The marketplace fixture's own login counted as issued for the admin client.
    assert token_count(after, admin_client, "password", "issued") >= 1
    duration = "gatehouse_token_request_duration_seconds_count"
    assert (
        value(after, duration, grant_type="client_credentials")
        - value(before, duration, grant_type="client_credentials")
        == 5
    )


async def test_unknown_client_ids_and_grant_types_add_no_series(client: httpx.AsyncClient) -> None:
    made_up = [secrets.token_hex(8) for _ in range(5)]
    before = await scrape(client)
    for client_id in made_up:
        response = await client_credentials(client, client_id)
        assert response.json()["Errors"][0]["ErrorCode"] == "ApiClient.InvalidClientID"
    odd = await client.post("/oauth/token", data={"grant_type": "x" * 200, "client_id": made_up[0]})
    assert odd.json()["Errors"][0]["ErrorCode"] == "Auth.UnsupportedGrantType"
    text = (await client.get("/metrics")).text
    after = await scrape(client)
    assert all(client_id not in text for client_id in made_up)
    assert "x" * 200 not in text
    invalid = ("unknown", "client_credentials", "ApiClient.InvalidClientID")
    assert token_count(after, *invalid) - token_count(before, *invalid) == 5
    unsupported = ("unknown", "other", "Auth.UnsupportedGrantType")
    assert token_count(after, *unsupported) - token_count(before, *unsupported) == 1


async def test_refusals_before_the_client_is_looked_up_are_unknown(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    """``Auth.UsernameAndPasswordRequired`` is decided before the client ID is looked up, so
    even a real client ID is not trusted as a label then."""
    before = await scrape(client)
    response = await client.post(
        "/oauth/token", data={"grant_type": "password", "client_id": marketplace.client_id}
    )
    assert response.json()["Errors"][0]["ErrorCode"] == "Auth.UsernameAndPasswordRequired"
    bad_type = await client.post(
        "/oauth/token", content=b"{}", headers={"Content-Type": "application/json"}
    )
    assert bad_type.json()["Errors"][0]["ErrorCode"] == "Request.InvalidContentType"
    after = await scrape(client)
    missing = ("unknown", "password", "Auth.UsernameAndPasswordRequired")
    assert token_count(after, *missing) - token_count(before, *missing) == 1
    content = ("unknown", "other", "Request.InvalidContentType")
    assert token_count(after, *content) - token_count(before, *content) == 1


async def test_api_requests_by_client_route_template_method_and_status(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    cid = marketplace.client_id
    before = await scrape(client)
    assert (await client.get(f"/v1/apiclients/{cid}", headers=marketplace.auth)).status_code == 200
    # The SDKs' casing reaches the same route (and the same series).
    assert (await client.get(f"/v1/ApiClients/{cid}", headers=marketplace.auth)).status_code == 200
    missing = await client.get("/v1/apiclients/not-there", headers=marketplace.auth)
    assert missing.status_code == 404
    assert (await client.get(f"/v1/apiclients/{cid}")).status_code == 401
    assert (await client.get("/v1/no/such/route", headers=marketplace.auth)).status_code == 404
    after = await scrape(client)
    name = "gatehouse_api_requests_total"
    template = "/v1/apiclients/{apiClientID}"

    def delta(**labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta(client_id=cid, route=template, method="GET", status="200") == 2
    assert delta(client_id=cid, route=template, method="GET", status="404") == 1
    # No valid token: the client is not known.
    assert delta(client_id="unknown", route=template, method="GET", status="401") == 1
    assert delta(client_id="unknown", route="unmatched", method="GET", status="404") == 1
    text = (await client.get("/metrics")).text
    assert "not-there" not in text
    assert "/v1/no/such/route" not in text
    assert marketplace.token not in text
    hist = "gatehouse_api_request_duration_seconds_count"
    assert (
        value(after, hist, route=template, method="GET")
        - value(before, hist, route=template, method="GET")
        == 4
    )
    # The token endpoint is counted once, by its own metric.
    assert not any(key[0] == name and ("route", "/oauth/token") in key[1] for key in after)


@pytest.fixture
async def protected_app(settings: Settings, clock: AdjustableClock) -> AsyncIterator[FastAPI]:
    app = create_app(settings.model_copy(update={"metrics_token": "m" * 32}), clock=clock)
    yield app
    await app.state.runtime.db.dispose()


@pytest.mark.parametrize("path", ["/metrics", "/gatehouse/metrics"])
async def test_metrics_token_when_set(protected_app: FastAPI, path: str) -> None:
    transport = httpx.ASGITransport(app=protected_app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "m" * 32}):
            refused = await http.get(path, headers=headers)
            assert refused.status_code == 401
            assert refused.json()["Errors"][0]["ErrorCode"] == "InvalidToken"
        allowed = await http.get(path, headers={"Authorization": f"Bearer {'m' * 32}"})
    assert allowed.status_code == 200
    assert "gatehouse_token_requests_total" in allowed.text or "# HELP" in allowed.text


async def test_metrics_token_must_be_long() -> None:
    with pytest.raises(ValueError, match="metrics_token"):
        Settings(metrics_token="short")


# --- GET /gatehouse/apiclients/{id}/usage ---------------------------------------------------


def usage_url(client_id: str, minutes: str | None = None) -> str:
    suffix = "" if minutes is None else f"?minutes={minutes}"
    return f"/gatehouse/apiclients/{client_id}/usage{suffix}"


async def test_usage_per_client(
    client: httpx.AsyncClient, shop: Marketplace, clock: AdjustableClock
) -> None:
    cid = await new_client(client, shop)
    for _ in range(2):
        assert (await client_credentials(client, cid)).status_code == 200
    assert (await client_credentials(client, cid, secret="nope")).status_code == 401
    clock.advance(timedelta(minutes=3))
    issued = await client_credentials(client, cid)
    token = issued.json()["access_token"]
    assert (
        await client.get("/v1/me", headers={"Authorization": f"Bearer {token}"})
    ).status_code == 200
    assert (
        await client.get("/v1/apiclients", headers={"Authorization": f"Bearer {token}"})
    ).status_code == 403
    response = await client.get(usage_url(cid.upper()), headers=shop.auth)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["ClientID"] == cid
    assert body["Tokens"] == {
        "ByGrantType": {"client_credentials": 4},
        "ByOutcome": {"Auth.InvalidClientSecret": 1, "issued": 3},
    }
    assert body["Requests"] == {"ByStatus": {"200": 1, "403": 1}}
    per_minute = body["PerMinute"]
    assert len(per_minute) == 60
    assert per_minute[-1]["Minute"] == body["LastUsed"]
    assert per_minute[-1] == {
        "Minute": body["LastUsed"],
        "Tokens": 1,
        "TokenFailures": 0,
        "Requests": 2,
    }
    assert per_minute[-4]["Tokens"] == 3
    assert per_minute[-4]["TokenFailures"] == 1
    assert sum(m["Tokens"] for m in per_minute) == 4
    assert body["From"] == per_minute[0]["Minute"]
    assert body["To"] >= per_minute[-1]["Minute"]
    # A window of two minutes holds only the latest requests.
    short = (await client.get(usage_url(cid, "2"), headers=shop.auth)).json()
    assert [m["Tokens"] for m in short["PerMinute"]] == [0, 1]
    assert short["Tokens"]["ByOutcome"] == {"issued": 1}


async def test_usage_of_an_idle_client(client: httpx.AsyncClient, shop: Marketplace) -> None:
    cid = await new_client(client, shop)
    body = (await client.get(usage_url(cid, "1440"), headers=shop.auth)).json()
    assert body["LastUsed"] is None
    assert body["Tokens"] == {"ByGrantType": {}, "ByOutcome": {}}
    assert len(body["PerMinute"]) == 1440
    assert all(m["Tokens"] == m["Requests"] == 0 for m in body["PerMinute"])


async def test_failed_token_requests_do_not_make_a_client_used(
    client: httpx.AsyncClient, shop: Marketplace
) -> None:
    cid = await new_client(client, shop)
    assert (await client_credentials(client, cid, secret="guess")).status_code == 401
    body = (await client.get(usage_url(cid), headers=shop.auth)).json()
    assert body["Tokens"]["ByOutcome"] == {"Auth.InvalidClientSecret": 1}
    assert body["LastUsed"] is None


@pytest.mark.parametrize("minutes", ["0", "1441", "-5", "abc", "1.5", "", "9" * 30])
async def test_usage_window_bad_input(
    client: httpx.AsyncClient, marketplace: Marketplace, minutes: str
) -> None:
    response = await client.get(usage_url(marketplace.client_id, minutes), headers=marketplace.auth)
    assert response.status_code == 400
    error = response.json()["Errors"][0]
    assert error["ErrorCode"] == "ValidationFailure"
    assert error["Data"]["Field"] == "minutes"


async def test_usage_of_unknown_and_foreign_clients_is_404(
    client: httpx.AsyncClient, marketplace: Marketplace, runtime: Runtime, hasher: PasswordHasher
) -> None:
    other = await create_marketplace(
        runtime.db, hasher, runtime.clock, name="Other", admin_username=None, admin_password=None
    )
    for client_id in ("no-such-client", other.api_client_id, "x" * 500):
        response = await client.get(usage_url(client_id), headers=marketplace.auth)
        assert response.status_code == 404
        error = response.json()["Errors"][0]
        assert error["ErrorCode"] == "NotFound"
        assert error["Data"]["ObjectType"] == "ApiClient"


async def test_usage_roles(client: httpx.AsyncClient, shop: Marketplace, runtime: Runtime) -> None:
    url = usage_url(shop.client_id)
    assert (await client.get(url)).status_code == 401
    for role, status in (("ApiClientReader", 200), ("ApiClientAdmin", 200), ("MeAdmin", 403)):
        token = await seller_token(client, shop, role)
        response = await client.get(url, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == status, (role, response.text)
    # A buyer user is refused whatever its roles (seller-only).
    cid = await new_client(client, shop, AllowSeller=False)
    buyer_token = (await client_credentials(client, cid, scope="Shopper")).json()["access_token"]
    refused = await client.get(url, headers={"Authorization": f"Bearer {buyer_token}"})
    assert refused.status_code == 403
    assert refused.json()["Errors"][0]["ErrorCode"] == "Auth.UserNotAuthorizedToAdmin"


async def seller_token(http: httpx.AsyncClient, mp: Marketplace, role: str) -> str:
    """A token of a new seller user holding ``role``, narrowed to it by the scope."""
    profile_id = f"p-{role}"
    await http.post(
        "/v1/securityprofiles",
        headers=mp.auth,
        json={"ID": profile_id, "Name": role, "Roles": [role]},
    )
    username = f"seller-{role.lower()}"
    created = await http.post(
        "/v1/adminusers",
        headers=mp.auth,
        json={
            "ID": username,
            "Username": username,
            "Password": ADMIN_PASSWORD,
            "FirstName": "S",
            "LastName": "U",
            "Email": f"{username}@example.com",
            "Active": True,
        },
    )
    assert created.status_code == 201, created.text
    assigned = await http.post(
        "/v1/securityprofiles/assignments",
        headers=mp.auth,
        json={"SecurityProfileID": profile_id, "UserID": username},
    )
    assert assigned.status_code == 204, assigned.text
    response = await password_token(http, mp.client_id, username, ADMIN_PASSWORD, scope=role)
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


async def test_last_used_and_retention(
    client: httpx.AsyncClient, app: FastAPI, shop: Marketplace, clock: AdjustableClock
) -> None:
    runtime: Runtime = app.state.runtime
    used, idle = await new_client(client, shop), await new_client(client, shop)
    assert (await client_credentials(client, used)).status_code == 200
    flusher = app.state.usage_flusher
    assert await flusher.flush() > 0
    async with runtime.db.read() as session:
        found = await usage_q.last_used(session, shop.id, [used, idle])
    assert found[idle] is None
    last = found[used]
    assert last is not None
    assert last == clock.now().replace(second=0, microsecond=0) or (
        clock.now() - last < timedelta(minutes=1)
    )
    # Another marketplace sees nothing of this client.
    async with runtime.db.read() as session:
        assert await usage_q.last_used(session, "other-marketplace", [used]) == {used: None}
    clock.advance(timedelta(days=15))
    assert await flusher.prune() >= 1
    async with runtime.db.read() as session:
        # The per-minute rows are gone; the last use outlives them (the review needs it).
        assert (await usage_q.last_used(session, shop.id, [used]))[used] == last
        assert (
            await usage_q.window(session, marketplace_id=shop.id, client_id=used, since=last) == []
        )


async def test_client_secret_never_appears(client: httpx.AsyncClient, shop: Marketplace) -> None:
    cid = await new_client(client, shop)
    await client_credentials(client, cid)
    await client_credentials(client, cid, secret="a-wrong-secret-value")
    assert SECRET not in (await client.get("/metrics")).text
    body = (await client.get(usage_url(cid), headers=shop.auth)).text
    assert SECRET not in body
    assert "a-wrong-secret-value" not in body


async def test_shutdown_stores_what_is_left(
    settings: Settings, clock: AdjustableClock, runtime: Runtime, shop: Marketplace
) -> None:
    """A clean shutdown loses nothing: the lifespan's end flushes the last counts."""
    app = create_app(settings, clock=clock)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
            cid = await new_client(http, shop)
            assert (await client_credentials(http, cid)).status_code == 200
        async with runtime.db.read() as session:
            assert (await usage_q.last_used(session, shop.id, [cid]))[cid] is None
    async with runtime.db.read() as session:
        assert (await usage_q.last_used(session, shop.id, [cid]))[cid] is not None


@pytest.fixture
async def shop(
    client: httpx.AsyncClient, runtime: Runtime, marketplace: Marketplace
) -> Marketplace:
    return await dcu_shop(client, runtime, marketplace)
