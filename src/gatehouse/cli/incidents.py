"""``gatehouse clients ...`` and ``gatehouse users revoke-tokens``: targeted incident response
from the server machine, straight on the database (issue 5). Each command touches one client
or one user; running servers apply it from their next request (PostgreSQL notifications or
the SQLite epoch file), so no restart is needed."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from gatehouse.domain import audit
from gatehouse.domain.clock import SystemClock
from gatehouse.domain.errors import DomainError
from gatehouse.services import api_client_secrets, api_clients, incidents, users
from gatehouse.settings import Settings
from gatehouse.storage import migrate
from gatehouse.storage.db import Database

clients_app = typer.Typer(help="Incident response on one API client.", no_args_is_help=True)
users_app = typer.Typer(help="Incident response on one user.", no_args_is_help=True)
err = Console(stderr=True)
T = TypeVar("T")

DatabaseOpt = Annotated[
    str | None,
    typer.Option("--database-url", help="Overrides GATEHOUSE_DATABASE_URL.", show_default=False),
]
ClientArg = Annotated[str, typer.Argument(help="The API client's ID.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]


def _run(database_url: str | None, action: Callable[[Database], Awaitable[T]]) -> T:
    settings = Settings(database_url=database_url) if database_url else Settings()

    async def main() -> T:
        url = settings.effective_database_url
        await migrate.upgrade(url)
        db = Database(url)
        try:
            return await action(db)
        finally:
            await db.dispose()

    try:
        return asyncio.run(main())
    except DomainError as exc:
        err.print(f"[red]{exc.code}[/red]: {exc.message}")
        raise typer.Exit(1) from exc


async def _set_active(db: Database, client_id: str, active: bool) -> str:
    marketplace_id = await incidents.client_marketplace(db, client_id)
    client = await api_clients.patch(db, marketplace_id, client_id, {"active": active}, audit.CLI)
    return client.id


@clients_app.command("deactivate")
def deactivate(client_id: ClientArg, database_url: DatabaseOpt = None) -> None:
    """Refuse new tokens and stop the live tokens of one client (reversible: `activate`)."""
    found = _run(database_url, lambda db: _set_active(db, client_id, False))
    typer.echo(f"deactivated {found}")


@clients_app.command("activate")
def activate(client_id: ClientArg, database_url: DatabaseOpt = None) -> None:
    """Let a deactivated client's users in again (tokens that were not revoked work again)."""
    found = _run(database_url, lambda db: _set_active(db, client_id, True))
    typer.echo(f"activated {found}")


@clients_app.command("revoke-tokens")
def revoke_client_tokens(client_id: ClientArg, database_url: DatabaseOpt = None) -> None:
    """Revoke every access and refresh token issued through one client."""

    async def action(db: Database) -> int:
        marketplace_id = await incidents.client_marketplace(db, client_id)
        return await incidents.revoke_client_tokens(
            db, SystemClock(), marketplace_id, client_id, audit.CLI
        )

    _run(database_url, action)
    typer.echo(f"revoked every token of {client_id.lower()}")


@clients_app.command("rotate-secret")
def rotate_secret(
    client_id: ClientArg,
    overlap_minutes: Annotated[
        int, typer.Option("--overlap-minutes", help="How long the old secrets keep working.")
    ] = 60,
    name: Annotated[str, typer.Option(help="The new secret's name.")] = "rotated",
    as_json: JsonOpt = False,
    database_url: DatabaseOpt = None,
) -> None:
    """Create a new named secret (printed once) and expire the others after the overlap."""

    async def action(db: Database) -> api_client_secrets.Rotation:
        marketplace_id = await incidents.client_marketplace(db, client_id)
        return await api_client_secrets.rotate(
            db,
            SystemClock(),
            marketplace_id,
            client_id,
            {"name": name},
            overlap_minutes,
            audit.CLI,
        )

    rotation = _run(database_url, action)
    out: dict[str, Any] = {
        "ClientID": client_id.lower(),
        "SecretID": rotation.created.secret.id,
        "ClientSecret": rotation.created.value,
        "OldSecretsExpire": rotation.old_secrets_expire.isoformat(),
        "ReplacedSecrets": rotation.replaced,
        "LegacyClientSecretSet": rotation.legacy_secret_set,
    }
    if as_json:
        typer.echo(json.dumps(out))
        return
    for key, value in out.items():
        typer.echo(f"{key}: {value}")
    if rotation.legacy_secret_set:
        err.print(
            "The legacy ClientSecret is still set and never expires: remove it "
            '(PATCH /v1/apiclients/{id} {"ClientSecret": null}) once every system uses the '
            "new secret."
        )


@users_app.command("revoke-tokens")
def revoke_user_tokens(
    marketplace_id: Annotated[str, typer.Option("--marketplace-id", help="The marketplace.")],
    username: Annotated[str, typer.Option("--username", help="The user's username.")],
    database_url: DatabaseOpt = None,
) -> None:
    """Revoke every access and refresh token of one user, through every client."""
    _run(
        database_url,
        lambda db: users.revoke_tokens_by_username(db, SystemClock(), marketplace_id, username),
    )
    typer.echo(f"revoked every token of {username}")
