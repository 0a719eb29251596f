"""``gatehouse clients origins ...`` against a running server on the same database: each
change applies on the server's next request (SQLite epoch file or PostgreSQL notification),
to the token endpoint and to the tokens already issued, although the server serves both from
its caches."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests.support.server import gatehouse, server

pytestmark = [pytest.mark.asyncio, pytest.mark.slow]
PASSWORD = "B00tstrapPassword"
SHOP = "https://shop.example"
OTHER = "https://elsewhere.example"


def token_status(base: str, client_id: str, origin: str) -> tuple[int, str | None]:
    response = httpx.post(
        f"{base}/oauth/token",
        data={
            "grant_type": "password",
            "client_id": client_id,
            "username": "ops",
            "password": PASSWORD,
        },
        headers={"Origin": origin},
    )
    code = None if response.status_code == 200 else response.json()["Errors"][0]["ErrorCode"]
    return response.status_code, code


def me_status(base: str, token: str, origin: str) -> int:
    headers = {"Authorization": f"Bearer {token}", "Origin": origin}
    return httpx.get(f"{base}/v1/me", headers=headers).status_code


def cli_json(*args: str) -> dict[str, Any]:
    done = gatehouse("clients", "origins", *args, "--json")
    assert done.returncode == 0, done.stderr
    found: dict[str, Any] = json.loads(done.stdout)
    return found


async def test_origins_commands_on_a_running_server(fresh_database_url: str) -> None:
    env = {"GATEHOUSE_BOOTSTRAP_USERNAME": "admin", "GATEHOUSE_BOOTSTRAP_PASSWORD": PASSWORD}
    db = ("--database-url", fresh_database_url)
    with server(fresh_database_url, env=env) as (base, _):
        created = gatehouse(
            "marketplace", "create", "--name", "Ops", "--admin-username", "ops",
            "--admin-password", PASSWORD, "--json", *db,
        )  # fmt: skip
        client_id = json.loads(created.stdout)["ApiClientID"]
        assert token_status(base, client_id, OTHER) == (200, None)
        token = httpx.post(
            f"{base}/oauth/token",
            data={
                "grant_type": "password",
                "client_id": client_id,
                "username": "ops",
                "password": PASSWORD,
            },
        ).json()["access_token"]
        assert me_status(base, token, OTHER) == 200  # the client is now cached

        assert cli_json("show", client_id, *db)["AllowedOrigins"] == []
        added = cli_json("add", client_id, "HTTPS://Shop.Example", *db)
        assert added == {"ClientID": client_id, "AllowedOrigins": [SHOP]}
        assert token_status(base, client_id, OTHER) == (400, "Auth.OriginNotAllowed")
        assert token_status(base, client_id, SHOP) == (200, None)
        assert me_status(base, token, OTHER) == 403
        assert me_status(base, token, SHOP) == 200

        both = cli_json("add", client_id, OTHER, *db)["AllowedOrigins"]
        assert both == [SHOP, OTHER]
        assert me_status(base, token, OTHER) == 200
        assert cli_json("remove", client_id, SHOP, *db)["AllowedOrigins"] == [OTHER]
        assert me_status(base, token, SHOP) == 403
        assert cli_json("set", client_id, SHOP, "http://localhost:3000", *db)["AllowedOrigins"] == [
            SHOP,
            "http://localhost:3000",
        ]
        assert cli_json("clear", client_id, *db)["AllowedOrigins"] == []
        assert token_status(base, client_id, OTHER) == (200, None)
        assert me_status(base, token, OTHER) == 200

        human = gatehouse("clients", "origins", "show", client_id, *db)
        assert human.returncode == 0
        assert human.stdout.strip() == "every origin the deployment allows (no list)"
        bad = gatehouse("clients", "origins", "set", client_id, "https://shop.example/x", *db)
        assert bad.returncode == 2
        assert "ApiClient.InvalidOrigin" in bad.stderr
        missing = gatehouse("clients", "origins", "show", "no-such-client", *db)
        assert missing.returncode == 4 and "NotFound" in missing.stderr
