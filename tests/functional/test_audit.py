"""The audit trail (issue 5 point 2): each instrumented change writes exactly its event in the
change's transaction (a refused change writes none), token events appear after a flush, no
secret ever reaches an event, the query's filters and bad input, roles, marketplace scoping,
and retention."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from gatehouse.crypto import sha256_hex
from gatehouse.domain.audit import CLI
from gatehouse.oauth.keys import rotate_signing_key
from gatehouse.runtime import Runtime
from gatehouse.services.audit import purge
from gatehouse.storage.models import AuditEventRow
from tests.factories.clock import AdjustableClock
from tests.factories.companies import PASSWORD, add_companies, company_client, headers_with, user
from tests.factories.marketplaces import Marketplace, password_token
from tests.support.console import drop_console_client

pytestmark = pytest.mark.asyncio
WRONG = "Wr0ngPassword!"


async def new_client(http: httpx.AsyncClient, mp: Marketplace, **fields: Any) -> str:
    body = {"AppName": "Integration", "AccessTokenDuration": 60, **fields}
    response = await http.post("/v1/apiclients", headers=mp.auth, json=body)
    assert response.status_code == 201, response.text
    client_id: str = response.json()["ID"]
    return client_id


async def trail(
    http: httpx.AsyncClient, mp: Marketplace, expect: int = 200, **params: Any
) -> dict[str, Any]:
    response = await http.get("/gatehouse/audit", headers=mp.auth, params=params)
    assert response.status_code == expect, response.text
    body: dict[str, Any] = response.json()
    return body


async def types_for(http: httpx.AsyncClient, mp: Marketplace, **params: Any) -> list[str]:
    """Event types, oldest first."""
    body = await trail(http, mp, sortBy="ID", pageSize=100, **params)
    return [item["EventType"] for item in body["Items"]]


async def stored_rows(runtime: Runtime, marketplace_id: str) -> list[AuditEventRow]:
    async with runtime.db.read() as session:
        stmt = (
            select(AuditEventRow)
            .where(AuditEventRow.marketplace_id == marketplace_id)
            .order_by(AuditEventRow.id)
        )
        return list((await session.scalars(stmt)).all())


def error_code(response: httpx.Response) -> str:
    code: str = response.json()["Errors"][0]["ErrorCode"]
    return code


# --- API clients ---------------------------------------------------------------------------


async def test_client_lifecycle_events_name_the_actor_and_the_changed_fields(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    client_id = await new_client(client, marketplace)
    patched = await client.patch(
        f"/v1/apiclients/{client_id}",
        headers=marketplace.auth,
        json={"AppName": "Renamed", "ClientSecret": "legacy-secret-value-123"},
    )
    assert patched.status_code == 200, patched.text
    put = await client.put(
        f"/v1/apiclients/{client_id}",
        headers=marketplace.auth,
        json={"AppName": "Renamed", "AccessTokenDuration": 30},
    )
    assert put.status_code == 200, put.text
    deleted = await client.delete(f"/v1/apiclients/{client_id}", headers=marketplace.auth)
    assert deleted.status_code == 204

    body = await trail(client, marketplace, clientID=client_id, sortBy="ID")
    items = body["Items"]
    assert [i["EventType"] for i in items] == [
        "apiclient.created",
        "apiclient.updated",
        "apiclient.updated",
        "apiclient.deleted",
    ]
    assert items[1]["Details"] == {"Fields": ["AppName", "ClientSecret"]}
    # PUT drops the legacy secret (omitted → default) and sets a new duration.
    assert items[2]["Details"] == {"Fields": ["AccessTokenDuration", "ClientSecret"]}
    assert items[3]["Details"] == {"AppName": "Renamed"}
    for item in items:
        assert item["ClientID"] == client_id
        assert item["Actor"] == {
            "Type": "user",
            "Username": marketplace.credentials.username,
            "UserType": "admin",
            "ClientID": marketplace.client_id,
        }
    assert "legacy-secret-value-123" not in json.dumps(body)
    assert body["Meta"]["TotalCount"] == 4


async def test_a_refused_change_writes_no_event(
    client: httpx.AsyncClient, marketplace: Marketplace, runtime: Runtime
) -> None:
    await drop_console_client(client, marketplace)
    client_id = await new_client(client, marketplace)
    before = await stored_rows(runtime, marketplace.id)
    bad_input = await client.patch(
        f"/v1/apiclients/{client_id}", headers=marketplace.auth, json={"AccessTokenDuration": 0}
    )
    assert bad_input.status_code == 400, bad_input.text
    # Refused inside the write transaction, after the update statement ran.
    unknown_user = await client.patch(
        f"/v1/apiclients/{client_id}",
        headers=marketplace.auth,
        json={"DefaultContextUserName": "nobody-at-all"},
    )
    assert unknown_user.status_code == 404, unknown_user.text
    last_full_access = await client.delete(
        f"/v1/apiclients/{marketplace.client_id}", headers=marketplace.auth
    )
    assert last_full_access.status_code == 409, last_full_access.text
    after = await stored_rows(runtime, marketplace.id)
    assert [r.event_type for r in after] == [r.event_type for r in before]
    assert "apiclient.updated" not in [r.event_type for r in after]


# --- secrets -------------------------------------------------------------------------------


async def test_secret_events_never_hold_the_value_or_its_hash(
    client: httpx.AsyncClient, marketplace: Marketplace, runtime: Runtime
) -> None:
    client_id = await new_client(client, marketplace)
    created = await client.post(
        f"/v1/apiclients/{client_id}/secrets",
        headers=marketplace.auth,
        json={"ID": "ci", "Name": "CI pipeline"},
    )
    assert created.status_code == 201, created.text
    value = created.json()["ClientSecret"]
    assert value
    renamed = await client.patch(
        f"/v1/apiclients/{client_id}/secrets/ci",
        headers=marketplace.auth,
        json={"Name": "CI", "Expiration": "2099-01-01T00:00:00Z"},
    )
    assert renamed.status_code == 200, renamed.text
    deleted = await client.delete(
        f"/v1/apiclients/{client_id}/secrets/ci", headers=marketplace.auth
    )
    assert deleted.status_code == 204

    body = await trail(client, marketplace, clientID=client_id, sortBy="ID")
    assert [i["EventType"] for i in body["Items"]] == [
        "apiclient.created",
        "apiclient_secret.created",
        "apiclient_secret.updated",
        "apiclient_secret.deleted",
    ]
    assert body["Items"][1]["Details"] == {
        "SecretID": "ci",
        "Name": "CI pipeline",
        "Expiration": None,
    }
    assert body["Items"][2]["Details"] == {"SecretID": "ci", "Fields": ["Expiration", "Name"]}
    assert body["Items"][3]["Details"] == {"SecretID": "ci"}
    stored = json.dumps([r.details for r in await stored_rows(runtime, marketplace.id)])
    for forbidden in (value, sha256_hex(value)):
        assert forbidden not in json.dumps(body)
        assert forbidden not in stored


async def test_deleting_an_unknown_secret_writes_no_event(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    client_id = await new_client(client, marketplace)
    missing = await client.delete(
        f"/v1/apiclients/{client_id}/secrets/none", headers=marketplace.auth
    )
    assert missing.status_code == 404
    assert await types_for(client, marketplace, clientID=client_id) == ["apiclient.created"]


# --- assignments ---------------------------------------------------------------------------


async def test_client_and_security_profile_assignments(
    client: httpx.AsyncClient, marketplace: Marketplace, runtime: Runtime
) -> None:
    await add_companies(runtime, marketplace, "buyer", "buyer-a")
    client_id = await new_client(client, marketplace)
    saved = await client.post(
        "/v1/apiclients/assignments",
        headers=marketplace.auth,
        json={"ApiClientID": client_id, "BuyerID": "buyer-a"},
    )
    assert saved.status_code == 204, saved.text
    removed = await client.delete(
        f"/v1/buyers/buyer-a/ApiClients/Assignments/{client_id}", headers=marketplace.auth
    )
    assert removed.status_code == 204, removed.text
    body = await trail(client, marketplace, clientID=client_id, sortBy="ID")
    assert [(i["EventType"], i["Details"]) for i in body["Items"][1:]] == [
        ("apiclient_assignment.saved", {"BuyerID": "buyer-a"}),
        ("apiclient_assignment.deleted", {"BuyerID": "buyer-a"}),
    ]

    profile = await client.post(
        "/v1/securityprofiles",
        headers=marketplace.auth,
        json={"ID": "shoppers", "Name": "Shoppers", "Roles": ["Shopper"]},
    )
    assert profile.status_code == 201, profile.text
    assigned = await client.post(
        "/v1/securityprofiles/assignments",
        headers=marketplace.auth,
        json={"SecurityProfileID": "shoppers", "BuyerID": "buyer-a"},
    )
    assert assigned.status_code == 204, assigned.text
    unassigned = await client.delete(
        "/v1/securityprofiles/shoppers/assignments",
        headers=marketplace.auth,
        params={"buyerID": "buyer-a"},
    )
    assert unassigned.status_code == 204, unassigned.text
    body = await trail(client, marketplace, EventType="security_profile_assignment.*", sortBy="ID")
    assert [(i["EventType"], i["Details"], i["ClientID"]) for i in body["Items"]] == [
        (
            "security_profile_assignment.saved",
            {"SecurityProfileID": "shoppers", "BuyerID": "buyer-a"},
            marketplace.client_id,
        ),
        (
            "security_profile_assignment.deleted",
            {"SecurityProfileID": "shoppers", "BuyerID": "buyer-a"},
            marketplace.client_id,
        ),
    ]


# --- lockout, unlock, revocation -----------------------------------------------------------


async def test_lockout_unlock_and_revocation(
    client: httpx.AsyncClient, marketplace: Marketplace, runtime: Runtime
) -> None:
    created = await client.post("/v1/adminusers", headers=marketplace.auth, json=user())
    assert created.status_code == 201, created.text
    for _ in range(10):
        response = await password_token(client, marketplace.client_id, "jane", WRONG)
        assert error_code(response) == "Auth.InvalidUsernameOrPassword"
    # Only the failure that locks writes an event; later ones find the user locked already.
    response = await password_token(client, marketplace.client_id, "jane", WRONG)
    assert error_code(response) == "Auth.InvalidUsernameOrPassword"
    unlocked = await client.post("/v1/adminusers/jane/unlock", headers=marketplace.auth)
    assert unlocked.status_code == 204
    revoked = await client.delete("/v1/adminusers/jane/tokens", headers=marketplace.auth)
    assert revoked.status_code == 204

    body = await trail(client, marketplace, username="JANE", sortBy="ID", EventType="!token.*")
    items = body["Items"]
    assert [i["EventType"] for i in items] == ["user.locked_out", "user.unlocked", "tokens.revoked"]
    locked = items[0]
    assert locked["Actor"]["Type"] == "system"
    assert locked["ClientID"] == marketplace.client_id
    assert locked["User"] == {"Username": "jane", "UserType": "admin"}
    assert locked["Details"]["FailedAttempts"] == 10
    for item in items[1:]:
        assert item["User"] == {"Username": "jane", "UserType": "admin"}
        assert item["Actor"]["Username"] == marketplace.credentials.username
        assert item["Details"] == {"UserID": "jane", "CompanyID": None}


async def test_revoking_own_tokens(client: httpx.AsyncClient, marketplace: Marketplace) -> None:
    response = await client.delete("/v1/me/tokens", headers=marketplace.auth)
    assert response.status_code == 204
    fresh = await password_token(
        client, marketplace.client_id, marketplace.credentials.username, "Adm1nPassword!"
    )
    auth = {"Authorization": f"Bearer {fresh.json()['access_token']}"}
    listed = await client.get(
        "/gatehouse/audit", headers=auth, params={"EventType": "tokens.revoked"}
    )
    assert listed.status_code == 200, listed.text
    [item] = listed.json()["Items"]
    assert item["User"]["Username"] == item["Actor"]["Username"] == marketplace.credentials.username


# --- key rotation --------------------------------------------------------------------------


async def test_key_rotation_is_a_server_wide_event(
    client: httpx.AsyncClient, marketplace: Marketplace, runtime: Runtime
) -> None:
    kid = await rotate_signing_key(runtime.db, runtime.clock, timedelta(minutes=600), CLI)
    body = await trail(client, marketplace, EventType="key.rotated", sortBy="!ID")
    latest = body["Items"][0]
    assert latest["Details"]["Kid"] == kid and "ActivatesAt" in latest["Details"]
    assert latest["Actor"]["Type"] == "cli"
    assert latest["ClientID"] is None


# --- token events --------------------------------------------------------------------------


async def test_token_events_are_buffered_then_flushed(
    client: httpx.AsyncClient, marketplace: Marketplace, runtime: Runtime
) -> None:
    await runtime.audit.flush()  # the fixture's own login
    created = await client.post("/v1/adminusers", headers=marketplace.auth, json=user())
    assert created.status_code == 201
    ok = await password_token(client, marketplace.client_id, "jane", PASSWORD)
    assert ok.status_code == 200
    wrong = await password_token(client, marketplace.client_id, "jane", WRONG)
    assert wrong.status_code == 400
    nobody = await password_token(client, marketplace.client_id, "nobody", WRONG)
    assert nobody.status_code == 400
    bad_secret = await client.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": marketplace.client_id,
            "client_secret": "not-the-secret",
        },
    )
    assert bad_secret.status_code == 401
    unknown_client = await password_token(client, "no-such-client", "jane", PASSWORD)
    assert unknown_client.status_code == 401

    # Only the fixture's login (flushed above) is stored; the rest is still buffered.
    assert await types_for(client, marketplace, EventType="token.*") == ["token.issued"]
    assert runtime.audit.pending >= 4
    await runtime.audit.flush()
    assert runtime.audit.pending == 0

    items = (await trail(client, marketplace, EventType="token.*", sortBy="ID"))["Items"][1:]
    summary = [(i["EventType"], i["Details"], i["User"] and i["User"]["Username"]) for i in items]
    assert summary == [
        ("token.issued", {"GrantType": "password"}, "jane"),
        (
            "token.refused",
            {"GrantType": "password", "ErrorCode": "Auth.InvalidUsernameOrPassword"},
            "jane",
        ),
        # An unknown username is not recorded (it may be a mistyped password).
        (
            "token.refused",
            {"GrantType": "password", "ErrorCode": "Auth.InvalidUsernameOrPassword"},
            None,
        ),
        (
            "token.refused",
            {"GrantType": "client_credentials", "ErrorCode": "Auth.InvalidClientSecret"},
            None,
        ),
    ]
    assert all(i["ClientID"] == marketplace.client_id for i in items)
    # The unknown client belongs to no marketplace: nothing recorded anywhere for it.
    async with runtime.db.read() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(AuditEventRow)
            .where(AuditEventRow.client_id == "no-such-client")
        )
    assert count == 0
    assert ok.json()["access_token"] not in json.dumps(items)


async def test_client_credentials_events_name_the_default_context_user(
    client: httpx.AsyncClient, marketplace: Marketplace, runtime: Runtime
) -> None:
    created = await client.post("/v1/adminusers", headers=marketplace.auth, json=user())
    assert created.status_code == 201
    client_id = await new_client(
        client,
        marketplace,
        ClientSecret="s3cret-for-cc",
        AllowSeller=True,
        DefaultContextUserName="jane",
    )
    issued = await client.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": "s3cret-for-cc",
        },
    )
    assert issued.status_code == 200, issued.text
    await runtime.audit.flush()
    [item] = (await trail(client, marketplace, clientID=client_id, EventType="token.issued"))[
        "Items"
    ]
    assert item["Details"] == {"GrantType": "client_credentials"}
    assert item["User"] == {"Username": "jane", "UserType": "admin"}
    assert item["Actor"]["ClientID"] == client_id
    assert "s3cret-for-cc" not in json.dumps(item)


# --- the query -----------------------------------------------------------------------------


async def test_filters_and_paging(client: httpx.AsyncClient, marketplace: Marketplace) -> None:
    first = await new_client(client, marketplace)
    second = await new_client(client, marketplace)
    await client.patch(f"/v1/apiclients/{second}", headers=marketplace.auth, json={"Active": False})

    assert await types_for(client, marketplace, clientID=first) == ["apiclient.created"]
    assert await types_for(client, marketplace, clientID=second.upper()) == [
        "apiclient.created",
        "apiclient.updated",
    ]
    assert await types_for(client, marketplace, EventType="apiclient.updated") == [
        "apiclient.updated"
    ]
    # The admin's own client is the actor's client of every change.
    assert len(await types_for(client, marketplace, clientID=marketplace.client_id)) == 3
    page = await trail(client, marketplace, EventType="apiclient.*", pageSize=2, page=2)
    assert page["Meta"]["TotalCount"] == 3
    assert page["Meta"]["ItemRange"] == [3, 3]
    newest = await trail(client, marketplace, EventType="apiclient.*")
    assert newest["Items"][0]["EventType"] == "apiclient.updated"  # newest first by default

    now = datetime.now(UTC)
    window = {"from": (now - timedelta(hours=1)).isoformat(), "to": now.isoformat()}
    assert len(await types_for(client, marketplace, **window, EventType="apiclient.*")) == 3
    past = {"from": "2020-01-01", "to": "2020-06-01T00:00:00Z"}
    assert await types_for(client, marketplace, **past) == []
    assert await types_for(client, marketplace, username="nobody") == []


async def test_bad_queries(client: httpx.AsyncClient, marketplace: Marketplace) -> None:
    cases: list[tuple[dict[str, Any], int, str]] = [
        ({"from": "2026-02-01", "to": "2026-01-01"}, 400, "Audit.InvalidRange"),
        ({"from": "2024-01-01", "to": "2026-01-01"}, 400, "Audit.RangeTooWide"),
        ({"from": "yesterday"}, 400, "Audit.InvalidDate"),
        ({"to": "2026-13-45"}, 400, "Audit.InvalidDate"),
        ({"from": "9" * 100}, 400, "Audit.InvalidDate"),
        ({"pageSize": 101}, 400, "List.InvalidPageSize"),
        ({"page": 0}, 400, "List.InvalidPage"),
        ({"sortBy": "Details"}, 400, "List.InvalidSortProperty"),
        ({"userID": "jane"}, 400, "List.InvalidProperty"),
        ({"clientID": "x" * 101}, 400, "Audit.InvalidFilter"),
        ({"clientID": "no-such-client"}, 404, "NotFound"),
    ]
    for params, status, code in cases:
        response = await client.get("/gatehouse/audit", headers=marketplace.auth, params=params)
        assert response.status_code == status, (params, response.text)
        assert error_code(response) == code, params
    missing = await client.get(
        "/gatehouse/audit", headers=marketplace.auth, params={"clientID": "no-such-client"}
    )
    assert missing.json()["Errors"][0]["Data"] == {
        "ObjectType": "ApiClient",
        "ObjectID": "no-such-client",
    }


async def test_a_deleted_clients_history_stays_queryable(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    client_id = await new_client(client, marketplace)
    await client.delete(f"/v1/apiclients/{client_id}", headers=marketplace.auth)
    assert await types_for(client, marketplace, clientID=client_id) == [
        "apiclient.created",
        "apiclient.deleted",
    ]


async def test_scoped_to_the_callers_marketplace(
    client: httpx.AsyncClient,
    marketplace: Marketplace,
    runtime: Runtime,
    hasher: Any,
) -> None:
    from gatehouse.services.marketplaces import create_marketplace

    other = await create_marketplace(
        runtime.db,
        hasher,
        runtime.clock,
        name="Other",
        admin_username="other-admin-audit",
        admin_password="Adm1nPassword!",
    )
    theirs = await client.get(
        "/gatehouse/audit", headers=marketplace.auth, params={"clientID": other.api_client_id}
    )
    assert theirs.status_code == 404
    mine = await new_client(client, marketplace)
    body = await trail(client, marketplace, EventType="apiclient.*")
    assert [i["ClientID"] for i in body["Items"]] == [mine]


async def test_roles_and_user_types(
    client: httpx.AsyncClient, marketplace: Marketplace, runtime: Runtime
) -> None:
    reader = await headers_with(runtime, marketplace, ["ApiClientReader"])
    assert (await client.get("/gatehouse/audit", headers=reader)).status_code == 200
    admin = await headers_with(runtime, marketplace, ["ApiClientAdmin"])
    assert (await client.get("/gatehouse/audit", headers=admin)).status_code == 200
    other = await headers_with(runtime, marketplace, ["AdminUserAdmin"])
    refused = await client.get("/gatehouse/audit", headers=other)
    assert refused.status_code == 403
    assert error_code(refused) == "Auth.InsufficientRoles"
    await add_companies(runtime, marketplace, "buyer", "buyer-a")
    created = await client.post("/v1/buyers/buyer-a/users", headers=marketplace.auth, json=user())
    assert created.status_code == 201, created.text
    storefront = await company_client(client, marketplace)
    login = await password_token(client, storefront, "jane", PASSWORD)
    assert login.status_code == 200, login.text
    buyer = {"Authorization": f"Bearer {login.json()['access_token']}"}
    refused = await client.get("/gatehouse/audit", headers=buyer)
    assert refused.status_code == 403
    assert error_code(refused) == "Auth.UserNotAuthorizedToAdmin"
    anonymous = await client.get("/gatehouse/audit")
    assert anonymous.status_code == 401


# --- retention -----------------------------------------------------------------------------


async def test_retention_purge_deletes_only_old_events(
    client: httpx.AsyncClient, marketplace: Marketplace, runtime: Runtime, clock: AdjustableClock
) -> None:
    old = await new_client(client, marketplace)
    clock.advance(timedelta(days=60))
    async with runtime.db.write() as session:
        from gatehouse.domain.audit import APICLIENT_CREATED, AuditEvent
        from gatehouse.storage.audit import record

        await record(
            session,
            AuditEvent(APICLIENT_CREATED, marketplace.id, client_id="recent"),
            clock.now(),
        )
    clock.advance(timedelta(days=31))  # the first event is now 91 days old
    deleted = await purge(runtime.db, clock, timedelta(days=90))
    assert deleted >= 1
    remaining = [(r.event_type, r.client_id) for r in await stored_rows(runtime, marketplace.id)]
    assert remaining == [("apiclient.created", "recent")]
    assert old not in [client_id for _, client_id in remaining]
    assert await purge(runtime.db, clock, timedelta(days=90)) == 0


# --- the background task -------------------------------------------------------------------


async def test_the_background_task_flushes_purges_and_flushes_at_shutdown(
    settings: Any, marketplace: Marketplace, runtime: Runtime
) -> None:
    """A second app on the same database: its timer writes token events without being
    asked, its first round purges expired events, and shutdown writes what is left."""
    from gatehouse.app import create_app
    from gatehouse.domain.audit import APICLIENT_CREATED, AuditEvent
    from gatehouse.storage.audit import record

    async with runtime.db.write() as session:
        expired = AuditEvent(APICLIENT_CREATED, marketplace.id, client_id="expired")
        await record(session, expired, datetime.now(UTC) - timedelta(days=100))

    async def token_events() -> int:
        rows = await stored_rows(runtime, marketplace.id)
        return sum(r.event_type == "token.issued" for r in rows)

    async def login_through(app: Any) -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://other.test") as http:
            response = await password_token(
                http, marketplace.client_id, marketplace.credentials.username, "Adm1nPassword!"
            )
            assert response.status_code == 200, response.text

    await runtime.audit.flush()
    before = await token_events()
    timed = create_app(settings.model_copy(update={"audit_flush_seconds": 0.05}))
    async with timed.router.lifespan_context(timed):
        await login_through(timed)
        for _ in range(100):
            if await token_events() == before + 1:
                break
            await asyncio.sleep(0.05)
        assert await token_events() == before + 1
    assert "expired" not in [r.client_id for r in await stored_rows(runtime, marketplace.id)]

    quiet = create_app(settings.model_copy(update={"audit_flush_seconds": 3600}))
    async with quiet.router.lifespan_context(quiet):
        await login_through(quiet)
        assert await token_events() == before + 1
    assert await token_events() == before + 2
