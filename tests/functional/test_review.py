"""GET /gatehouse/review: every risk on real configurations, scoped to the caller's
marketplace, read-only, a fixed number of queries however many clients, and its roles."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from gatehouse.runtime import Runtime
from gatehouse.services.marketplaces import create_marketplace
from gatehouse.services.review import RefreshTokenLastUsed
from gatehouse.storage.models import ApiClientRow
from tests.factories.clock import AdjustableClock
from tests.factories.companies import PASSWORD, add_companies, company_user, user
from tests.factories.lockout import fresh_admin_auth
from tests.factories.marketplaces import ADMIN_PASSWORD, Marketplace, password_token
from tests.factories.tokens import token_with
from tests.support.sql import all_statements, written_statements

pytestmark = pytest.mark.asyncio
URL = "/gatehouse/review"


async def new_client(http: httpx.AsyncClient, mp: Marketplace, **fields: Any) -> str:
    body = {"AppName": "App", "AccessTokenDuration": 30, **fields}
    created = await http.post("/v1/apiclients", headers=mp.auth, json=body)
    assert created.status_code == 201, created.text
    client_id: str = created.json()["ID"]
    return client_id


async def findings(http: httpx.AsyncClient, auth: dict[str, str]) -> list[dict[str, Any]]:
    response = await http.get(URL, headers=auth)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["Items"]
    return items


def risks_of(items: list[dict[str, Any]], client_id: str) -> dict[str, str]:
    return {i["Risk"]: i["Severity"] for i in items if i["ClientID"] == client_id}


async def anon_template_user(http: httpx.AsyncClient, mp: Marketplace, runtime: Runtime) -> None:
    """Buyer ``b1`` with template user ``anon`` holding Shopper and OrderAdmin."""
    await add_companies(runtime, mp, "buyer", "b1")
    body = user(ID="anon", Username="anon", Email="anon@example.com")
    assert (await http.post("/v1/buyers/b1/users", headers=mp.auth, json=body)).status_code == 201
    profile = {"ID": "anon-roles", "Name": "Anon", "Roles": ["Shopper", "OrderAdmin"]}
    await http.post("/v1/securityprofiles", headers=mp.auth, json=profile)
    assigned = await http.post(
        "/v1/securityprofiles/assignments",
        headers=mp.auth,
        json={"SecurityProfileID": "anon-roles", "BuyerID": "b1", "UserID": "anon"},
    )
    assert assigned.status_code == 204, assigned.text


async def test_every_risk_on_real_clients(
    client: httpx.AsyncClient, marketplace: Marketplace, runtime: Runtime
) -> None:
    mp = marketplace
    await anon_template_user(client, mp, runtime)
    long_lived = await new_client(
        client,
        mp,
        AppName="Admin app",
        AllowSeller=True,
        AccessTokenDuration=120,
        RefreshTokenDuration=2000,
    )
    capped = await new_client(
        client,
        mp,
        AppName="Capped",
        AllowSeller=True,
        AllowAnyBuyer=True,
        AccessTokenDuration=120,
        MaximumGrantedRoles=["OrderReader"],
    )
    anon = await new_client(
        client,
        mp,
        AppName="Storefront",
        IsAnonBuyer=True,
        AllowAnyBuyer=True,
        ClientSecret="browser-secret",
        DefaultContextUserName="anon",
    )
    integration = await new_client(
        client,
        mp,
        AppName="ERP",
        ClientSecret="erp-secret",
        DefaultContextUserName=mp.credentials.username,
    )
    rotated = await new_client(
        client,
        mp,
        AppName="Rotated",
        DefaultContextUserName=mp.credentials.username,
        MaximumGrantedRoles=["OrderAdmin"],
    )
    named = await client.post(
        f"/v1/apiclients/{rotated}/secrets", headers=mp.auth, json={"Name": "current"}
    )
    assert named.status_code == 201

    with written_statements(runtime.db) as writes:
        items = await findings(client, mp.auth)
    assert writes == []
    # Anonymous clients, and secret-less ones that buyers or suppliers use, serve browsers: on
    # the default deployment (every origin) they are flagged until they list their origins. A
    # secret-less seller-only admin client is not (domain.review.browser_client_any_origin).
    assert risks_of(items, long_lived) == {
        "LongAccessTokenDuration": "high",
        "LongRefreshTokenDuration": "high",
    }
    assert risks_of(items, capped) == {"BrowserClientAnyOrigin": "low"}
    assert risks_of(items, anon) == {
        "SecretOnAnonymousClient": "high",
        "AnonymousUserOverprivileged": "high",
        "BrowserClientAnyOrigin": "medium",
    }
    assert risks_of(items, integration) == {
        "ClientCredentialsFullAccessUncapped": "high",
        "LegacySecret": "medium",
    }
    assert risks_of(items, rotated) == {}
    # The bootstrap client passes its own review (issue 13): 60-minute tokens.
    assert risks_of(items, mp.client_id) == {}
    assert [i["Severity"] for i in items] == sorted(
        (i["Severity"] for i in items), key=["high", "medium", "low"].index
    )
    overprivileged = next(i for i in items if i["Risk"] == "AnonymousUserOverprivileged")
    assert overprivileged == {
        "ClientID": anon,
        "AppName": "Storefront",
        "Risk": "AnonymousUserOverprivileged",
        "Severity": "high",
        "Reason": "The anonymous template user 'anon' gives every anonymous shopper "
        "OrderAdmin, beyond the shopper roles.",
        "Fix": "Remove those roles from the template user's security profiles, or set "
        "MaximumGrantedRoles to shopper roles (e.g. Shopper, MeAdmin).",
    }
    assert "browser-secret" not in str(items) and "erp-secret" not in str(items)


async def test_idle_clients_and_last_use_from_refresh_tokens(
    client: httpx.AsyncClient, marketplace: Marketplace, runtime: Runtime, clock: AdjustableClock
) -> None:
    created = await client.post("/v1/adminusers", headers=marketplace.auth, json=user())
    assert created.status_code == 201
    used = await new_client(
        client, marketplace, AppName="Used", AllowSeller=True, RefreshTokenDuration=60
    )
    idle = await new_client(client, marketplace, AppName="Idle", AllowSeller=True)
    off = await new_client(client, marketplace, AppName="Off", AllowSeller=True, Active=False)
    clock.advance(timedelta(days=31))
    login = await password_token(client, used, "jane", PASSWORD)
    assert login.status_code == 200 and login.json()["refresh_token"]
    auth = await fresh_admin_auth(client, marketplace)
    items = await findings(client, auth)
    assert "NoRecentTraffic" not in risks_of(items, used)
    assert risks_of(items, idle)["NoRecentTraffic"] == "low"
    assert "NoRecentTraffic" not in risks_of(items, off)
    reason = next(
        i["Reason"] for i in items if i["ClientID"] == idle and i["Risk"] == "NoRecentTraffic"
    )
    assert reason.startswith("The client is active but has had no traffic for more than 30 days")
    last = await RefreshTokenLastUsed(runtime.db).last_used(marketplace.id, [used, idle])
    assert last[idle] is None
    newest = last[used]
    assert newest is not None and abs(newest - clock.now()) < timedelta(minutes=1)


async def test_queries_do_not_grow_with_the_number_of_clients(
    client: httpx.AsyncClient, marketplace: Marketplace, runtime: Runtime
) -> None:
    await anon_template_user(client, marketplace, runtime)
    await new_client(client, marketplace, DefaultContextUserName="anon", AllowAnyBuyer=True)
    with all_statements(runtime.db) as few:
        await findings(client, marketplace.auth)
    for n in range(6):
        client_id = await new_client(
            client,
            marketplace,
            AppName=f"C{n}",
            ClientSecret="s",
            DefaultContextUserName="anon",
            AllowAnyBuyer=True,
            IsAnonBuyer=n % 2 == 0,
        )
        await client.post(
            f"/v1/apiclients/{client_id}/secrets", headers=marketplace.auth, json={"Name": "n"}
        )
    with all_statements(runtime.db) as many:
        items = await findings(client, marketplace.auth)
    assert len(items) > 6
    assert len(many) == len(few)


async def test_scoped_to_the_callers_marketplace(
    client: httpx.AsyncClient, marketplace: Marketplace, runtime: Runtime
) -> None:
    other = await create_marketplace(
        runtime.db,
        runtime.hasher,
        runtime.clock,
        name="Other",
        admin_username="other-admin",
        admin_password=ADMIN_PASSWORD,
    )
    # Both bootstrap clients pass the review (issue 13): give each marketplace a finding.
    login = await password_token(client, other.api_client_id, "other-admin", ADMIN_PASSWORD)
    other_auth = {"Authorization": f"Bearer {login.json()['access_token']}"}
    for mp_client, auth in (
        (marketplace.client_id, marketplace.auth),
        (other.api_client_id, other_auth),
    ):
        patched = await client.patch(
            f"/v1/apiclients/{mp_client}", headers=auth, json={"AccessTokenDuration": 600}
        )
        assert patched.status_code == 200, patched.text
    items = await findings(client, marketplace.auth)
    assert {i["ClientID"] for i in items} == {marketplace.client_id}
    assert other.api_client_id not in str(items)


async def test_roles_and_user_types(
    client: httpx.AsyncClient, marketplace: Marketplace, runtime: Runtime
) -> None:
    assert (await client.get(URL)).status_code == 401
    for roles in (["ApiClientReader"], ["ApiClientAdmin"], ["FullAccess"]):
        headers = await token_with(runtime, marketplace, roles)
        assert (await client.get(URL, headers=headers)).status_code == 200
    headers = await token_with(runtime, marketplace, ["AdminUserAdmin", "SecurityProfileAdmin"])
    refused = await client.get(URL, headers=headers)
    assert refused.status_code == 403
    assert refused.json()["Errors"][0]["ErrorCode"] == "Auth.InsufficientRoles"
    internal_id, username = await company_user(runtime, marketplace, "supplier")
    headers = await token_with(
        runtime, marketplace, ["FullAccess"], usrtype="supplier", u=str(internal_id), usr=username
    )
    supplier = await client.get(URL, headers=headers)
    assert supplier.status_code == 403
    assert supplier.json()["Errors"][0]["ErrorCode"] == "Auth.UserNotAuthorizedToAdmin"


async def test_thresholds_come_from_settings(runtime: Runtime, marketplace: Marketplace) -> None:
    from gatehouse.services.review import thresholds_from
    from gatehouse.settings import Settings

    strict = thresholds_from(Settings(review_access_token_minutes=700))
    assert strict.access_token_minutes == 700
    found = await runtime.services.review.review_marketplace(marketplace.id, strict)
    assert [f.risk.value for f in found] == []
    async with runtime.db.write() as session:
        await session.execute(
            update(ApiClientRow)
            .where(ApiClientRow.id == marketplace.client_id)
            .values(created_at=runtime.clock.now() - timedelta(days=5))
        )
    idle = thresholds_from(Settings(review_access_token_minutes=700, review_idle_days=4))
    found = await runtime.services.review.review_marketplace(marketplace.id, idle)
    assert [f.risk.value for f in found] == ["NoRecentTraffic"]
