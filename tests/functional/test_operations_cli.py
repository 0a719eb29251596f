"""``gatehouse explain`` and ``gatehouse review``: the operator's commands on the server
machine, against the test session's database (real subprocesses)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests.factories.companies import user
from tests.factories.marketplaces import Marketplace
from tests.support.server import gatehouse

pytestmark = [pytest.mark.asyncio, pytest.mark.slow]


async def test_explain_json_and_human_output(
    client: httpx.AsyncClient, marketplace: Marketplace, database_url: str
) -> None:
    common = ["--client-id", marketplace.client_id.upper(), "--database-url", database_url]
    ok = gatehouse("explain", *common, "--username", marketplace.credentials.username, "--json")
    assert ok.returncode == 0, ok.stderr
    body: dict[str, Any] = json.loads(ok.stdout)
    assert body["WouldIssue"] is True
    assert body["ClientID"] == marketplace.client_id
    assert body["Roles"]["Granted"] == ["FullAccess"]

    inactive = user(Active=False)
    assert (
        await client.post("/v1/adminusers", headers=marketplace.auth, json=inactive)
    ).status_code == 201
    # New admins hold no role until one is assigned (issue 13): give jane FullAccess.
    full = {"SecurityProfileID": "FullAccess", "UserID": inactive["ID"]}
    assert (
        await client.post("/v1/securityprofiles/assignments", headers=marketplace.auth, json=full)
    ).status_code == 204
    refused = gatehouse(
        "explain",
        *common,
        "--username",
        "jane",
        "--scope",
        "FullAccess Shopper",
        "--marketplace-id",
        marketplace.id,
    )
    assert refused.returncode == 1, refused.stderr
    lines = refused.stdout.splitlines()
    assert lines[1] == "  WOULD REFUSE"
    assert (
        "  FAIL  UserActive: the user is inactive (Active false) [Auth.UserNotActive]  <- decisive"
        in lines
    )
    assert "  dropped: Shopper (not held)" in lines
    assert "  granted roles: FullAccess" in lines


async def test_explain_bad_input(marketplace: Marketplace, database_url: str) -> None:
    unknown = gatehouse(
        "explain", "--client-id", "nope", "--username", "x", "--database-url", database_url
    )
    assert unknown.returncode == 4  # refused: an unknown client (issue 13 exit codes)
    assert "ApiClient not found: nope" in unknown.stderr
    elsewhere = gatehouse(
        "explain",
        "--client-id",
        marketplace.client_id,
        "--username",
        "x",
        "--marketplace-id",
        "another",
        "--database-url",
        database_url,
    )
    assert elsewhere.returncode == 4
    no_user = gatehouse(
        "explain", "--client-id", marketplace.client_id, "--database-url", database_url
    )
    assert no_user.returncode == 2
    assert "Field Username is required" in no_user.stderr
    grant = gatehouse(
        "explain",
        "--client-id",
        marketplace.client_id,
        "--grant-type",
        "implicit",
        "--database-url",
        database_url,
    )
    assert grant.returncode == 2


async def test_review_json_and_human_output(
    client: httpx.AsyncClient, marketplace: Marketplace, database_url: str
) -> None:
    # A fresh marketplace passes its review (issue 13): make its client long-lived first.
    patched = await client.patch(
        f"/v1/apiclients/{marketplace.client_id}",
        headers=marketplace.auth,
        json={"AccessTokenDuration": 600},
    )
    assert patched.status_code == 200, patched.text
    found = gatehouse(
        "review", "--marketplace-id", marketplace.id, "--json", "--database-url", database_url
    )
    assert found.returncode == 1, found.stderr
    items: list[dict[str, Any]] = json.loads(found.stdout)
    assert items == [
        {
            "MarketplaceID": marketplace.id,
            "ClientID": marketplace.client_id,
            "AppName": items[0]["AppName"],
            "Risk": "LongAccessTokenDuration",
            "Severity": "high",
            "Reason": "AccessTokenDuration is 600 minutes (more than 60) and users of this "
            "client can hold FullAccess.",
            "Fix": "Set AccessTokenDuration to 60 minutes or less (PATCH /v1/apiclients/{id}), "
            "or cap MaximumGrantedRoles.",
        },
    ]
    human = gatehouse(
        "review",
        "--marketplace-id",
        marketplace.id,
        "--database-url",
        database_url,
        # A deployment narrowed to listed origins: the secretless client is no longer open to
        # every site.
        env={
            "GATEHOUSE_REVIEW_ACCESS_TOKEN_MINUTES": "600",
            "GATEHOUSE_CORS_ORIGINS": "https://shop.example",
        },
    )
    assert human.returncode == 0, human.stderr
    assert human.stdout.strip() == "no risky client configurations found"
    everywhere = gatehouse("review", "--json", "--database-url", database_url)
    assert everywhere.returncode == 1, everywhere.stderr
    assert {"MarketplaceID": marketplace.id, **items[0]} in json.loads(everywhere.stdout)
    missing = gatehouse("review", "--marketplace-id", "nope", "--database-url", database_url)
    assert missing.returncode == 4
    assert "Marketplace not found: nope" in missing.stderr
