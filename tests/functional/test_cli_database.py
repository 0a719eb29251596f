"""Issue 13 point 2: no command but ``serve`` and ``db upgrade`` creates a database. A
missing, empty, unmigrated or unreachable database is one line naming the URL, exit 3."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from gatehouse.cli import app
from gatehouse.cli.common import EXIT_NO_DATABASE, EXIT_OK
from gatehouse.storage import migrate
from tests.conftest import PG_ADMIN_DSN, backend
from tests.factories.cli import command_paths

C = "0f1e2d3c-0000-4000-8000-000000000000"
COMMANDS: list[list[str]] = [
    ["review"],
    ["explain", "--client-id", C],
    ["audit", "list"],
    ["audit", "purge"],
    ["clients", "list"],
    ["clients", "show", C],
    ["clients", "create", "--marketplace-id", "m", "--app-name", "a"],
    ["clients", "deactivate", C],
    ["clients", "activate", C],
    ["clients", "revoke-tokens", C],
    ["clients", "rotate-secret", C],
    ["users", "revoke-tokens", "--marketplace-id", "m", "--username", "u"],
    ["users", "reset-password", "--marketplace-id", "m", "--username", "u"],
    ["marketplace", "create", "--name", "n"],
    ["marketplace", "list"],
    ["keys", "rotate"],
    ["keys", "rewrap"],
    ["clients", "origins", "show", C],
    ["clients", "origins", "set", C, "https://shop.example"],
    ["clients", "origins", "add", C, "https://shop.example"],
    ["clients", "origins", "remove", C, "https://shop.example"],
    ["clients", "origins", "clear", C],
    ["purge"],
    ["ratelimits", "show", "--client-id", C],
    ["ratelimits", "set", "--marketplace-id", "m"],
    ["ratelimits", "clear", "--client-id", C],
    ["db", "downgrade", "base"],
]
CREATORS = {("serve",), ("db", "upgrade")}
NO_DATABASE = {("keys", "generate")}  # prints a new key; reads no database


def invoke(*args: str) -> Any:
    # Unset every GATEHOUSE_* variable for the call (CliRunner restores them afterwards) but
    # the suite's encryption key: a command on the session's database must read and write its
    # secrets with the key the servers use.
    env: dict[str, str | None] = {
        k: None
        for k in os.environ
        if k.startswith("GATEHOUSE_") and k != "GATEHOUSE_ENCRYPTION_KEY"
    }
    env["GATEHOUSE_CONFIG"] = None
    return CliRunner().invoke(app, list(args), env=env)


def test_the_list_covers_every_command() -> None:
    """A new command must be added here (and must not create a database)."""
    uncovered = [
        path
        for path in command_paths() - CREATORS - NO_DATABASE
        if not any(tuple(args[: len(path)]) == path for args in COMMANDS)
    ]
    assert uncovered == []


def missing_url(tmp_path: Path) -> str:
    if backend() == "sqlite":
        return f"sqlite:///{tmp_path}/nowhere/gatehouse.db"
    return PG_ADMIN_DSN.rsplit("/", 1)[0] + f"/gatehouse_missing_{secrets.token_hex(4)}"


def assert_refused(result: Any, *words: str) -> None:
    assert result.exit_code == EXIT_NO_DATABASE, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("gatehouse: error: ")
    for word in words:
        assert word in lines[0]
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_a_missing_database_is_never_created(tmp_path: Path, args: list[str]) -> None:
    url = missing_url(tmp_path)
    result = invoke(*args, "--database-url", url)
    assert_refused(result, "no database at", migrate.safe_url(url))
    assert not (tmp_path / "nowhere").exists()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_an_empty_database_is_refused(fresh_database_url: str, args: list[str]) -> None:
    file = migrate.sqlite_file(fresh_database_url)
    if file is not None:
        file.touch()  # what older versions left behind: an empty SQLite file
    result = invoke(*args, "--database-url", fresh_database_url)
    assert_refused(result, "is empty", "gatehouse db upgrade")


async def test_an_unmigrated_database_names_both_revisions(fresh_database_url: str) -> None:
    import asyncio

    def run() -> tuple[Any, Any, Any]:
        partial = invoke("db", "upgrade", "0005", "--json", "--database-url", fresh_database_url)
        refused = invoke("review", "--database-url", fresh_database_url)
        full = invoke("db", "upgrade", "--json", "--database-url", fresh_database_url)
        return partial, refused, full

    partial, refused, full = await asyncio.to_thread(run)
    assert partial.exit_code == EXIT_OK, partial.stderr
    assert '"Applied": ["0001", "0002", "0003", "0004", "0005"]' in partial.stdout
    assert_refused(refused, "revision 0005", migrate.head_revision(), "gatehouse db upgrade")
    assert full.exit_code == EXIT_OK
    assert '"0006"' in full.stdout and '"0001"' not in full.stdout


def test_an_unreachable_server_is_one_line(tmp_path: Path) -> None:
    url = "postgresql://nobody:hunter2secret@127.0.0.1:1/gatehouse"
    result = invoke("review", "--database-url", url)
    assert_refused(result, "cannot connect", "127.0.0.1:1")
    assert "hunter2secret" not in result.stderr


def test_db_upgrade_creates_and_a_fresh_install_passes_review(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/new.db"
    assert invoke("db", "upgrade", "--database-url", url).exit_code == EXIT_OK
    created = invoke("marketplace", "create", "--name", "Shop", "--json", "--database-url", url)
    assert created.exit_code == EXIT_OK, created.stderr
    review = invoke("review", "--database-url", url)
    assert review.exit_code == EXIT_OK, review.stdout
    assert "no risky client configurations found" in review.stdout
