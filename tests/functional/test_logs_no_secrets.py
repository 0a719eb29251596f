"""Issue 13 point 4 on a real server with ``GATEHOUSE_LOG_FORMAT=json``: every line the
process writes (uvicorn's included) is one JSON object, each request has its access line, and
no password, token or client secret used during a broad run appears anywhere in the output."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest

from tests.support.server import gatehouse, login, server, stop

pytestmark = [pytest.mark.asyncio, pytest.mark.slow]
PASSWORD = "B00tstrap-Passw0rd"
WRONG = "Wr0ng-Passw0rd-guess"


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


def drive(base: str, client_id: str) -> list[str]:
    """Token grants of every kind, secrets created and rotated; returns every secret seen."""
    seen = [PASSWORD, WRONG]
    first = ok(login(base, client_id, "admin", PASSWORD))
    auth = {"Authorization": f"Bearer {first['access_token']}"}
    seen.append(first["access_token"])
    login(base, client_id, "admin", WRONG)
    body = {
        "AppName": "Backend",
        "AccessTokenDuration": 30,
        "RefreshTokenDuration": 60,
        "AllowSeller": True,
        "DefaultContextUserName": "admin",
        "MaximumGrantedRoles": ["ApiClientReader"],
    }
    backend = ok(httpx.post(f"{base}/v1/apiclients", headers=auth, json=body), 201)["ID"]
    secret = ok(
        httpx.post(f"{base}/v1/apiclients/{backend}/secrets", headers=auth, json={"Name": "a"}),
        201,
    )["ClientSecret"]
    rotated = ok(
        httpx.post(f"{base}/gatehouse/apiclients/{backend}/secrets/rotate", headers=auth, json={}),
        201,
    )["Secret"]["ClientSecret"]
    seen += [secret, rotated]
    form = {"client_id": backend, "client_secret": rotated}
    cc = ok(httpx.post(f"{base}/oauth/token", data={"grant_type": "client_credentials", **form}))
    pw = ok(
        httpx.post(
            f"{base}/oauth/token",
            data={"grant_type": "password", "username": "admin", "password": PASSWORD, **form},
        )
    )
    refreshed = ok(
        httpx.post(
            f"{base}/oauth/token",
            data={"grant_type": "refresh_token", "refresh_token": pw["refresh_token"], **form},
        )
    )
    seen += [cc["access_token"], pw["access_token"], pw["refresh_token"]]
    seen.append(refreshed["access_token"])
    ok(httpx.get(f"{base}/v1/me", headers={"Authorization": f"Bearer {cc['access_token']}"}))
    return seen


async def test_json_logs_carry_no_secret(fresh_database_url: str) -> None:
    env = {
        "GATEHOUSE_BOOTSTRAP_USERNAME": "admin",
        "GATEHOUSE_BOOTSTRAP_PASSWORD": PASSWORD,
        "GATEHOUSE_LOG_FORMAT": "json",
    }
    with server(fresh_database_url, env=env) as (base, process):
        # The bootstrap credentials are printed once on purpose (not a log line): skip them.
        client_id = ok(httpx.get(f"{base}/.well-known/oauth-authorization-server"))
        assert client_id["issuer"]
        listed = gatehouse("clients", "list", "--json", "--database-url", fresh_database_url)
        admin_client = next(
            c["ID"] for c in json.loads(listed.stdout) if c["AppName"] != "Gatehouse Console"
        )
        seen = drive(base, admin_client)
        reset = gatehouse(
            "users", "reset-password", "--marketplace-id", json.loads(listed.stdout)[0]["MarketplaceID"],
            "--username", "admin", "--json", "--database-url", fresh_database_url,
        )  # fmt: skip
        generated = json.loads(reset.stdout)["Password"]
        seen.append(generated)
        ok(login(base, admin_client, "admin", generated))
        output = stop(process)
    banner, _, logs = output.partition("Password: ")
    # after the one-time bootstrap credentials and the console's URL
    logs = logs.split("Console: ", 1)[1].split("\n", 1)[1]
    lines = [line for line in logs.splitlines() if line.strip()]
    parsed = [json.loads(line) for line in lines]  # every line is one JSON object
    access = [line for line in parsed if line["logger"] == "gatehouse.access"]
    assert any(line["logger"].startswith("uvicorn") for line in parsed)
    grants = {line.get("grant_type") for line in access if line["route"] == "/oauth/token"}
    assert {"password", "client_credentials", "refresh_token"} <= grants
    assert all(re.fullmatch(r"[0-9a-f]{32}", line["request_id"]) for line in access)
    assert any(line["route"] == "/v1/apiclients/{apiClientID}/secrets" for line in access)
    for value in seen:
        assert value not in logs, f"a secret reached the logs: {value[:6]}…"
        assert value not in banner or value == PASSWORD
