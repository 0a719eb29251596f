"""Issue 13 through HTTP: a rotation that would add a first secret is refused (points 1),
a fresh marketplace passes its own review and gives FullAccess to its bootstrap admin only
(point 7), and the anonymous grant is named in the audit trail and the metrics (point 8)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from gatehouse.runtime import Runtime
from tests.factories.anonymous import Shop, anonymous_token, build_shop, ok
from tests.factories.marketplaces import Marketplace
from tests.factories.metrics import scrape

pytestmark = pytest.mark.asyncio


async def new_client(http: httpx.AsyncClient, mp: Marketplace, **fields: Any) -> str:
    body = {"AppName": "Integration", "AccessTokenDuration": 30, "AllowSeller": True, **fields}
    created = await ok(await http.post("/v1/apiclients", headers=mp.auth, json=body), 201)
    client_id: str = created["ID"]
    return client_id


async def rotate(
    http: httpx.AsyncClient, mp: Marketplace, client_id: str, **body: Any
) -> httpx.Response:
    return await http.post(
        f"/gatehouse/apiclients/{client_id}/secrets/rotate", headers=mp.auth, json=body
    )


async def secret_count(http: httpx.AsyncClient, mp: Marketplace, client_id: str) -> int:
    listed = await ok(await http.get(f"/v1/apiclients/{client_id}/secrets", headers=mp.auth))
    count: int = listed["Meta"]["TotalCount"]
    return count


# --- point 1: rotation ---------------------------------------------------------------


async def test_rotating_a_secretless_client_is_refused_and_changes_nothing(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    spa = await new_client(client, marketplace)
    refused = await rotate(client, marketplace, spa)
    assert refused.status_code == 409, refused.text
    error = refused.json()["Errors"][0]
    assert error["ErrorCode"] == "ApiClientSecret.NoSecretToRotate"
    assert error["Data"] == {"HasSecret": False, "IsAnonBuyer": False, "Override": "AddSecret"}
    assert "AddSecret" in error["Message"]
    assert await secret_count(client, marketplace, spa) == 0
    login = {
        "grant_type": "password",
        "client_id": spa,
        "username": marketplace.credentials.username,
        "password": "Adm1nPassword!",
    }
    assert (await client.post("/oauth/token", data=login)).status_code == 200

    added = await rotate(client, marketplace, spa, AddSecret=True)
    assert added.status_code == 201, added.text
    assert await secret_count(client, marketplace, spa) == 1
    without = await client.post("/oauth/token", data=login)
    assert without.json()["Errors"][0]["ErrorCode"] == "Auth.InvalidClientSecret"


async def test_rotating_a_client_with_a_secret_needs_no_flag(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    backend = await new_client(client, marketplace)
    await ok(await rotate(client, marketplace, backend, AddSecret=True), 201)
    rotated = await rotate(client, marketplace, backend)
    assert rotated.status_code == 201, rotated.text
    assert rotated.json()["ReplacedSecrets"] == 1


async def test_rotating_an_anonymous_buyer_client_is_refused(
    client: httpx.AsyncClient, runtime: Runtime, marketplace: Marketplace
) -> None:
    shop = await build_shop(client, runtime, marketplace)
    refused = await rotate(client, marketplace, shop.anon_client)
    assert refused.status_code == 409
    error = refused.json()["Errors"][0]
    assert error["ErrorCode"] == "ApiClientSecret.RotateAnonBuyerClient"
    assert error["Data"]["IsAnonBuyer"] is True
    assert (await anonymous_token(client, shop.anon_client)).status_code == 200
    bad_flag = await rotate(client, marketplace, shop.anon_client, AddSecret="yes")
    assert bad_flag.status_code == 400


# --- point 7: bootstrap --------------------------------------------------------------


async def test_a_fresh_marketplace_passes_its_own_review(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    findings = await ok(await client.get("/gatehouse/review", headers=marketplace.auth))
    assert findings == {"Items": []}
    me = await ok(
        await client.get(f"/v1/apiclients/{marketplace.client_id}", headers=marketplace.auth)
    )
    assert me["AccessTokenDuration"] == 60


async def test_full_access_belongs_to_the_bootstrap_admin_only(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    assignments = await ok(
        await client.get("/v1/securityprofiles/assignments", headers=marketplace.auth)
    )
    owners = [(a["SecurityProfileID"], a["UserID"], a["UserGroupID"]) for a in assignments["Items"]]
    me = await ok(await client.get("/v1/me", headers=marketplace.auth))
    assert owners == [("FullAccess", me["ID"], None)]
    assert me["AvailableRoles"] == ["FullAccess"]
    later = {
        "ID": "later-admin",
        "Username": "later-admin",
        "FirstName": "L",
        "LastName": "A",
        "Email": "l@example.com",
        "Active": True,
    }
    created = await ok(
        await client.post("/v1/adminusers", headers=marketplace.auth, json=later), 201
    )
    assert created["AvailableRoles"] == []


async def test_the_review_flags_seller_level_full_access(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    seller_level = {"SecurityProfileID": "FullAccess"}
    await ok(
        await client.post(
            "/v1/securityprofiles/assignments", headers=marketplace.auth, json=seller_level
        ),
        204,
    )
    findings = (await ok(await client.get("/gatehouse/review", headers=marketplace.auth)))["Items"]
    assert [(f["Risk"], f["Severity"], f["ClientID"]) for f in findings] == [
        ("SellerLevelFullAccess", "high", None)
    ]
    assert "every admin user" in findings[0]["Reason"]


# --- point 8: the anonymous grant's name ---------------------------------------------


async def test_the_anonymous_grant_is_named_in_the_audit_trail_and_metrics(
    client: httpx.AsyncClient, runtime: Runtime, marketplace: Marketplace
) -> None:
    shop: Shop = await build_shop(client, runtime, marketplace)
    await ok(await anonymous_token(client, shop.anon_client))
    await runtime.audit.flush()
    trail = await ok(
        await client.get(
            "/gatehouse/audit",
            headers=marketplace.auth,
            params={"clientID": shop.anon_client, "EventType": "token.issued"},
        )
    )
    assert [e["Details"]["GrantType"] for e in trail["Items"]] == ["anonymous"]
    samples = await scrape(client)
    labels = frozenset(
        {("client_id", shop.anon_client), ("grant_type", "anonymous"), ("outcome", "issued")}
    )
    assert samples[("gatehouse_token_requests_total", labels)] == 1
    wrong = frozenset(
        {
            ("client_id", shop.anon_client),
            ("grant_type", "client_credentials"),
            ("outcome", "issued"),
        }
    )
    assert ("gatehouse_token_requests_total", wrong) not in samples
    explained = await ok(
        await client.post(
            "/gatehouse/explain",
            headers=marketplace.auth,
            json={"ClientID": shop.anon_client, "GrantType": "client_credentials"},
        )
    )
    assert explained["GrantType"] == "anonymous"
    assert explained["WouldIssue"] is True
