"""Issue 13 point 3 (and the CLI side of point 1): the commands an operator was missing, run
in-process against the session's database while the app serves it."""

from __future__ import annotations

import asyncio
import json
import os
from typing import Any

import httpx
import pytest
import typer
from typer.testing import CliRunner

from gatehouse import __version__
from gatehouse.cli import app
from gatehouse.cli.common import EXIT_OK, EXIT_REFUSED, EXIT_USAGE
from gatehouse.runtime import Runtime
from tests.factories.cli import command_paths
from tests.factories.lockout import WRONG
from tests.factories.marketplaces import ADMIN_PASSWORD, Marketplace, password_token
from tests.support.console import drop_console_client


async def cli(database_url: str, *args: str, stdin: str | None = None) -> Any:
    """Run ``gatehouse`` in a thread (it runs its own event loop)."""
    # Unset every GATEHOUSE_* variable for the call (CliRunner restores them afterwards) but
    # the suite's encryption key: a command on the session's database must read and write its
    # secrets with the key the servers use.
    env: dict[str, str | None] = {
        k: None
        for k in os.environ
        if k.startswith("GATEHOUSE_") and k != "GATEHOUSE_ENCRYPTION_KEY"
    }
    env["GATEHOUSE_CONFIG"] = None
    argv = [*args, "--database-url", database_url]
    return await asyncio.to_thread(CliRunner().invoke, app, argv, stdin, env)


def leaf(path: tuple[str, ...]) -> Any:
    command: Any = typer.main.get_command(app)
    for name in path:
        command = command.commands[name]
    return command


def test_version() -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == EXIT_OK
    assert result.stdout.strip() == f"gatehouse {__version__}"


def test_every_command_has_json_and_one_marketplace_option_name() -> None:
    for path in command_paths() - {("serve",)}:
        options = {
            opt: param.hidden for param in leaf(path).params for opt in getattr(param, "opts", [])
        }
        assert "--json" in options, path
        assert "--database-url" in options or path == ("keys", "generate"), path
        assert options.get("--marketplace", True) is True, path  # only as a hidden alias


async def test_clients_create_list_show(
    database_url: str, client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    await drop_console_client(client, marketplace)
    created = await cli(
        database_url, "clients", "create", "--marketplace-id", marketplace.id,
        "--app-name", "Storefront", "--allow-any-buyer", "--json",
    )  # fmt: skip
    assert created.exit_code == EXIT_OK, created.stderr
    body = json.loads(created.stdout)
    assert body["AppName"] == "Storefront" and body["AllowAnyBuyer"] is True
    assert body["AccessTokenDuration"] == 60
    served = await client.get(f"/v1/apiclients/{body['ID']}", headers=marketplace.auth)
    assert served.status_code == 200

    listed = await cli(
        database_url, "clients", "list", "--marketplace-id", marketplace.id, "--json"
    )
    assert listed.exit_code == EXIT_OK
    ids = {item["ID"] for item in json.loads(listed.stdout)}
    assert ids == {marketplace.client_id, body["ID"]}
    text = await cli(database_url, "clients", "list", "--marketplace-id", marketplace.id)
    assert body["ID"] in text.stdout and "'Storefront'" in text.stdout

    shown = await cli(database_url, "clients", "show", body["ID"].upper(), "--json")
    details = json.loads(shown.stdout)
    assert details["MarketplaceID"] == marketplace.id
    assert "ClientSecret" not in details and details["HasLegacySecret"] is False
    assert details["Secrets"] == []
    unknown = await cli(database_url, "clients", "show", "no-such-client")
    assert unknown.exit_code == EXIT_REFUSED
    assert (
        unknown.stderr.strip() == "gatehouse: error: NotFound: ApiClient not found: no-such-client"
    )
    nowhere = await cli(database_url, "clients", "list", "--marketplace-id", "nowhere")
    assert nowhere.exit_code == EXIT_REFUSED


async def test_marketplace_list(database_url: str, marketplace: Marketplace) -> None:
    """Two API clients: the default admin client and the console's."""
    listed = await cli(database_url, "marketplace", "list", "--json")
    assert listed.exit_code == EXIT_OK
    mine = [m for m in json.loads(listed.stdout) if m["MarketplaceID"] == marketplace.id]
    assert mine == [
        {
            "MarketplaceID": marketplace.id,
            "Name": "Test Marketplace",
            "Active": True,
            "DateCreated": mine[0]["DateCreated"],
            "ApiClients": 2,
            "Users": 1,
        }
    ]


async def test_reset_password_generates_once_and_unlocks(
    database_url: str, client: httpx.AsyncClient, runtime: Runtime, marketplace: Marketplace
) -> None:
    username = marketplace.credentials.username
    for _ in range(10):
        await password_token(client, marketplace.client_id, username, WRONG)
    locked = await password_token(client, marketplace.client_id, username, ADMIN_PASSWORD)
    assert locked.json()["Errors"][0]["ErrorCode"] == "Auth.LockedOut"

    reset = await cli(
        database_url, "users", "reset-password", "--marketplace-id", marketplace.id,
        "--username", username, "--json",
    )  # fmt: skip
    assert reset.exit_code == EXIT_OK, reset.stderr
    out = json.loads(reset.stdout)
    generated = out["Password"]
    assert out["Unlocked"] is True and len(generated) >= 24
    ok = await password_token(client, marketplace.client_id, username, generated)
    assert ok.status_code == 200, ok.text
    old = await password_token(client, marketplace.client_id, username, ADMIN_PASSWORD)
    assert old.status_code == 400

    chosen = "Chosen-Passw0rd-123"
    typed = await cli(
        database_url, "users", "reset-password", "--marketplace-id", marketplace.id,
        "--username", username.upper(), "--password-stdin", stdin=chosen + "\n",
    )  # fmt: skip
    assert typed.exit_code == EXIT_OK, typed.stderr
    assert chosen not in typed.stdout and "Password" not in typed.stdout
    assert (
        await password_token(client, marketplace.client_id, username, chosen)
    ).status_code == 200

    weak = await cli(
        database_url, "users", "reset-password", "--marketplace-id", marketplace.id,
        "--username", username, "--password-stdin", stdin="short\n",
    )  # fmt: skip
    assert weak.exit_code == EXIT_USAGE
    assert "PasswordReset.InsecurePassword" in weak.stderr
    assert (
        await password_token(client, marketplace.client_id, username, chosen)
    ).status_code == 200
    nobody = await cli(
        database_url, "users", "reset-password", "--marketplace-id", marketplace.id,
        "--username", "nobody",
    )  # fmt: skip
    assert nobody.exit_code == EXIT_REFUSED

    await runtime.audit.flush()
    trail = await client.get(
        "/gatehouse/audit", headers={"Authorization": f"Bearer {ok.json()['access_token']}"},
        params={"EventType": "user.password_reset"},
    )  # fmt: skip
    assert trail.status_code == 200, trail.text
    events = trail.json()["Items"]
    assert [e["Actor"]["Type"] for e in events] == ["cli", "cli"]
    assert generated not in trail.text and chosen not in trail.text


async def test_rotate_secret_refuses_to_add_a_first_secret(
    database_url: str, client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    refused = await cli(database_url, "clients", "rotate-secret", marketplace.client_id)
    assert refused.exit_code == EXIT_REFUSED
    assert "ApiClientSecret.NoSecretToRotate" in refused.stderr
    assert "--add-secret" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    login = await password_token(
        client, marketplace.client_id, marketplace.credentials.username, ADMIN_PASSWORD
    )
    assert login.status_code == 200
    added = await cli(
        database_url, "clients", "rotate-secret", marketplace.client_id, "--add-secret", "--json"
    )
    assert added.exit_code == EXIT_OK, added.stderr
    assert len(json.loads(added.stdout)["ClientSecret"]) == 86


async def test_ratelimits_take_marketplace_id_and_the_old_name(
    database_url: str, marketplace: Marketplace
) -> None:
    new = await cli(
        database_url, "ratelimits", "set", "--marketplace-id", marketplace.id,
        "--token-per-minute", "600", "--json",
    )  # fmt: skip
    assert new.exit_code == EXIT_OK, new.stderr
    old = await cli(database_url, "ratelimits", "show", "--marketplace", marketplace.id, "--json")
    assert old.exit_code == EXIT_OK, old.stderr
    assert json.loads(old.stdout)["TokenRequestsPerMinute"] == 600
    both = await cli(database_url, "ratelimits", "show", "--json")
    assert both.exit_code == EXIT_USAGE
    assert "--marketplace-id" in both.stderr
    helped = CliRunner().invoke(app, ["ratelimits", "show", "--help"])
    assert "--marketplace-id" in helped.stdout and "--marketplace " not in helped.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("clients", "deactivate", "{client}"),
        ("clients", "activate", "{client}"),
        ("purge",),
        ("audit", "purge"),
        ("marketplace", "list"),
    ],
)
async def test_json_output_is_one_document(
    database_url: str, marketplace: Marketplace, args: tuple[str, ...]
) -> None:
    argv = [a.format(client=marketplace.client_id) for a in args]
    result = await cli(database_url, *argv, "--json")
    assert result.exit_code == EXIT_OK, result.stderr
    json.loads(result.stdout)


async def test_keys_rotate_json(fresh_database_url: str) -> None:
    """On a database of its own: a rotation on the session's database would retire the key
    other tests' tokens were signed with."""
    assert (await cli(fresh_database_url, "db", "upgrade")).exit_code == EXIT_OK
    result = await cli(fresh_database_url, "keys", "rotate", "--json")
    assert result.exit_code == EXIT_OK, result.stderr
    body = json.loads(result.stdout)
    assert body["KeyID"] and body["SignsFrom"] and body["SignsInSeconds"] >= 60
