"""The incident-response commands against a running server on the same database: each takes
effect on the server's next request (SQLite epoch file or PostgreSQL notification), and only
on the client or user it names."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.support.server import gatehouse, login, server

pytestmark = [pytest.mark.asyncio, pytest.mark.slow]
PASSWORD = "B00tstrapPassword"


def me(base: str, token: str) -> tuple[int, str | None]:
    response = httpx.get(f"{base}/v1/me", headers={"Authorization": f"Bearer {token}"})
    code = None if response.status_code == 200 else response.json()["Errors"][0]["ErrorCode"]
    return response.status_code, code


async def test_commands_act_on_a_running_server_without_collateral(fresh_database_url: str) -> None:
    env = {"GATEHOUSE_BOOTSTRAP_USERNAME": "admin", "GATEHOUSE_BOOTSTRAP_PASSWORD": PASSWORD}
    db = ("--database-url", fresh_database_url)
    with server(fresh_database_url, env=env) as (base, _):
        created = gatehouse(
            "marketplace", "create", "--name", "Ops", "--admin-username", "ops",
            "--admin-password", PASSWORD, "--json", *db,
        )  # fmt: skip
        creds = json.loads(created.stdout)
        main_client = creds["ApiClientID"]
        kept = login(base, main_client, "ops", PASSWORD).json()["access_token"]
        other = httpx.post(
            f"{base}/v1/apiclients",
            headers={"Authorization": f"Bearer {kept}"},
            json={"AppName": "Integration", "AccessTokenDuration": 30, "AllowSeller": True},
        ).json()["ID"]
        hit = login(base, other, "ops", PASSWORD).json()["access_token"]
        assert me(base, hit) == (200, None)

        assert gatehouse("clients", "deactivate", other, *db).returncode == 0
        assert me(base, hit) == (401, "InvalidToken")
        assert me(base, kept) == (200, None)
        assert login(base, main_client, "ops", PASSWORD).status_code == 200
        assert gatehouse("clients", "activate", other, *db).returncode == 0
        assert me(base, hit) == (200, None)

        assert gatehouse("clients", "revoke-tokens", other, *db).returncode == 0
        assert me(base, hit) == (401, "Auth.TokenRevoked")
        assert me(base, kept) == (200, None)

        no_secret = gatehouse("clients", "rotate-secret", other, "--json", *db)
        assert no_secret.returncode == 4  # no secret to rotate (issue 13)
        assert "ApiClientSecret.NoSecretToRotate" in no_secret.stderr
        assert login(base, other, "ops", PASSWORD).status_code == 200
        rotated = gatehouse("clients", "rotate-secret", other, "--add-secret", "--json", *db)
        assert rotated.returncode == 0, rotated.stderr
        secret = json.loads(rotated.stdout)["ClientSecret"]
        refused = login(base, other, "ops", PASSWORD)
        assert refused.json()["Errors"][0]["ErrorCode"] == "Auth.InvalidClientSecret"
        with_secret = httpx.post(
            f"{base}/oauth/token",
            data={
                "grant_type": "password",
                "client_id": other,
                "client_secret": secret,
                "username": "ops",
                "password": PASSWORD,
            },
        )
        assert with_secret.status_code == 200
        assert me(base, kept) == (200, None)

        revoke_user = gatehouse(
            "users", "revoke-tokens", "--marketplace-id", creds["MarketplaceID"],
            "--username", "ops", *db,
        )  # fmt: skip
        assert revoke_user.returncode == 0, revoke_user.stderr
        assert me(base, kept) == (401, "Auth.TokenRevoked")
        assert me(base, login(base, main_client, "ops", PASSWORD).json()["access_token"]) == (
            200,
            None,
        )

        unknown = gatehouse("clients", "revoke-tokens", "no-such-client", *db)
        assert unknown.returncode == 4
        assert "NotFound" in unknown.stderr
