"""The ``gatehouse`` command and a real server process: bootstrap, marketplace create while
serving, key rotation, db upgrade."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

import httpx
import jwt
import pytest

from tests.factories.cli import bootstrap_lines
from tests.support.server import gatehouse, login, server

pytestmark = [pytest.mark.asyncio, pytest.mark.slow]
PASSWORD = "B00tstrapPassword"


async def test_serve_bootstraps_once_and_serves_new_marketplaces(fresh_database_url: str) -> None:
    env = {"GATEHOUSE_BOOTSTRAP_USERNAME": "root-admin", "GATEHOUSE_BOOTSTRAP_PASSWORD": PASSWORD}
    with server(fresh_database_url, env=env) as (base, process):
        health = httpx.get(f"{base}/gatehouse/health").json()
        assert health["Status"] == "ok"
        created = gatehouse(
            "marketplace",
            "create",
            "--name",
            "Second",
            "--admin-username",
            "second",
            "--admin-password",
            PASSWORD,
            "--json",
            "--database-url",
            fresh_database_url,
        )
        assert created.returncode == 0, created.stderr
        credentials: dict[str, Any] = json.loads(created.stdout)  # exactly one JSON object
        assert set(credentials) == {"MarketplaceID", "ApiClientID", "Username", "Password"}
        token = login(base, credentials["ApiClientID"], "second", PASSWORD)
        assert token.status_code == 200
        claims = jwt.decode(token.json()["access_token"], options={"verify_signature": False})
        assert claims["iss"] == claims["aud"] == base
        first = bootstrap_lines(process)
    assert first["Username"] == "root-admin" and first["Password"] == PASSWORD
    with server(fresh_database_url, env=env) as (base, process):
        assert login(base, first["ApiClientID"], "root-admin", PASSWORD).status_code == 200
        assert bootstrap_lines(process) == {}  # credentials are printed on the first start only


async def test_generated_bootstrap_password_works(fresh_database_url: str) -> None:
    env = {"GATEHOUSE_BOOTSTRAP_USERNAME": "", "GATEHOUSE_BOOTSTRAP_PASSWORD": ""}
    with server(fresh_database_url, env=env) as (base, process):
        url = base
        creds = bootstrap_lines(process)
    assert creds["Username"] == "admin" and len(creds["Password"]) >= 10
    with server(fresh_database_url) as (url, _):
        assert login(url, creds["ApiClientID"], "admin", creds["Password"]).status_code == 200


async def test_marketplace_create_refuses_a_weak_password(fresh_database_url: str) -> None:
    assert gatehouse("db", "upgrade", "--database-url", fresh_database_url).returncode == 0
    result = gatehouse(
        "marketplace",
        "create",
        "--name",
        "Weak",
        "--admin-password",
        "weak",
        "--json",
        "--database-url",
        fresh_database_url,
    )
    assert result.returncode == 2
    assert result.stdout == ""


async def test_keys_rotate_is_picked_up_by_a_running_server(fresh_database_url: str) -> None:
    env = {
        "GATEHOUSE_BOOTSTRAP_USERNAME": "admin",
        "GATEHOUSE_BOOTSTRAP_PASSWORD": PASSWORD,
        "GATEHOUSE_KEY_REFRESH_SECONDS": "0.5",
    }
    with server(fresh_database_url, env=env) as (base, _process):
        created = gatehouse(
            "marketplace",
            "create",
            "--name",
            "K",
            "--admin-username",
            "k",
            "--admin-password",
            PASSWORD,
            "--json",
            "--database-url",
            fresh_database_url,
        )
        creds = json.loads(created.stdout)
        before = login(base, creds["ApiClientID"], "k", PASSWORD).json()["access_token"]
        rotated = gatehouse(
            "keys", "rotate", "--activate-in", "6", "--database-url", fresh_database_url, env=env
        )
        assert rotated.returncode == 0, rotated.stderr
        new_kid = rotated.stdout.splitlines()[0].rsplit(" ", 1)[-1]
        signs_from = datetime.fromisoformat(rotated.stdout.split("signs from ", 1)[1].split()[0])
        soon = login(base, creds["ApiClientID"], "k", PASSWORD).json()["access_token"]
        if datetime.now(UTC) < signs_from:  # publish first, sign later
            assert jwt.get_unverified_header(soon)["kid"] != new_kid
        time.sleep(max(0.0, (signs_from - datetime.now(UTC)).total_seconds() + 1.5))
        after = login(base, creds["ApiClientID"], "k", PASSWORD).json()["access_token"]
        assert jwt.get_unverified_header(after)["kid"] == new_kid
        assert jwt.get_unverified_header(before)["kid"] != new_kid
        for token in (before, after):
            response = httpx.get(
                f"{base}/v1/apiclients", headers={"Authorization": f"Bearer {token}"}
            )
            assert response.status_code == 200
        assert len(httpx.get(f"{base}/.well-known/jwks.json").json()["keys"]) == 2


async def test_db_upgrade_is_idempotent(fresh_database_url: str) -> None:
    for _ in range(2):
        result = gatehouse("db", "upgrade", "--database-url", fresh_database_url)
        assert result.returncode == 0, result.stderr
    down = gatehouse("db", "downgrade", "base", "--database-url", fresh_database_url)
    assert down.returncode == 0, down.stderr
    assert gatehouse("db", "upgrade", "--database-url", fresh_database_url).returncode == 0


async def test_two_workers_serve_one_database(fresh_database_url: str) -> None:
    env = {"GATEHOUSE_BOOTSTRAP_USERNAME": "admin", "GATEHOUSE_BOOTSTRAP_PASSWORD": PASSWORD}
    with server(fresh_database_url, workers=2, env=env) as (base, _process):
        created = gatehouse(
            "marketplace",
            "create",
            "--name",
            "W",
            "--admin-username",
            "w",
            "--admin-password",
            PASSWORD,
            "--json",
            "--database-url",
            fresh_database_url,
        )
        creds = json.loads(created.stdout)
        tokens = [login(base, creds["ApiClientID"], "w", PASSWORD) for _ in range(6)]
        assert all(t.status_code == 200 for t in tokens)
        for token in tokens:
            response = httpx.get(
                f"{base}/v1/apiclients/{creds['ApiClientID']}",
                headers={"Authorization": f"Bearer {token.json()['access_token']}"},
            )
            assert response.status_code == 200
