"""``gatehouse clients ...`` and ``gatehouse users revoke-tokens``: targeted incident response
from the server machine, straight on the database (issue 5). Each command touches one client
or one user; running servers apply it from their next request (PostgreSQL notifications or
the SQLite epoch file), so no restart is needed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from gatehouse.cli.common import (
    ClientArg,
    DatabaseOpt,
    JsonOpt,
    emit,
    err,
    load_settings,
    run,
    run_services,
)
from gatehouse.domain import audit
from gatehouse.services.api_client_secrets import Rotation
from gatehouse.storage.db import Database

clients_app = typer.Typer(
    help="API clients: list, show, create, and incident response on one client.",
    no_args_is_help=True,
)

if TYPE_CHECKING:
    from gatehouse.services.registry import Services
users_app = typer.Typer(help="Users: reset a password, revoke tokens.", no_args_is_help=True)
T = TypeVar("T")


def _run(database_url: str | None, action: Callable[[Database], Awaitable[T]]) -> T:
    return run(load_settings(database_url=database_url), action)


def _run_services(database_url: str | None, action: Callable[[Services], Awaitable[T]]) -> T:
    return run_services(load_settings(database_url=database_url), action)


async def _set_active(services: Services, client_id: str, active: bool) -> str:
    marketplace_id = await services.incidents.client_marketplace(client_id)
    client = await services.api_clients.patch(
        marketplace_id, client_id, {"active": active}, audit.CLI
    )
    return client.id


@clients_app.command("deactivate")
def deactivate(
    client_id: ClientArg, as_json: JsonOpt = False, database_url: DatabaseOpt = None
) -> None:
    """Refuse new tokens and stop the live tokens of one client (reversible: `activate`)."""
    found = _run_services(database_url, lambda s: _set_active(s, client_id, False))
    emit({"ClientID": found, "Active": False}, as_json)


@clients_app.command("activate")
def activate(
    client_id: ClientArg, as_json: JsonOpt = False, database_url: DatabaseOpt = None
) -> None:
    """Let a deactivated client's users in again (tokens that were not revoked work again)."""
    found = _run_services(database_url, lambda s: _set_active(s, client_id, True))
    emit({"ClientID": found, "Active": True}, as_json)


@clients_app.command("revoke-tokens")
def revoke_client_tokens(
    client_id: ClientArg, as_json: JsonOpt = False, database_url: DatabaseOpt = None
) -> None:
    """Revoke every access and refresh token issued through one client."""

    async def action(services: Services) -> int:
        marketplace_id = await services.incidents.client_marketplace(client_id)
        return await services.incidents.revoke_client_tokens(marketplace_id, client_id, audit.CLI)

    _run_services(database_url, action)
    emit({"ClientID": client_id.lower(), "TokensRevoked": True}, as_json)


@clients_app.command("rotate-secret")
def rotate_secret(
    client_id: ClientArg,
    overlap_minutes: Annotated[
        int, typer.Option("--overlap-minutes", help="How long the old secrets keep working.")
    ] = 60,
    name: Annotated[str, typer.Option(help="The new secret's name.")] = "rotated",
    add_secret: Annotated[
        bool,
        typer.Option(
            "--add-secret",
            help="Allow a client with no secret, or an IsAnonBuyer client, to get its first "
            "secret: every request without one is refused from then on.",
        ),
    ] = False,
    as_json: JsonOpt = False,
    database_url: DatabaseOpt = None,
) -> None:
    """Create a new named secret (printed once) and expire the others after the overlap.

    Refused (exit 4) on a client without a secret or an IsAnonBuyer client, where it would
    add a first secret and lock out every caller that sends none; --add-secret overrides."""

    async def action(services: Services) -> Rotation:
        marketplace_id = await services.incidents.client_marketplace(client_id)
        return await services.api_client_secrets.rotate(
            marketplace_id,
            client_id,
            {"name": name},
            overlap_minutes,
            audit.CLI,
            add_secret=add_secret,
        )

    rotation = _run_services(database_url, action)
    emit(_rotation_out(client_id, rotation), as_json)
    if rotation.legacy_secret_set and not as_json:
        err.print(LEGACY_SECRET_HINT, markup=False)


LEGACY_SECRET_HINT = (
    "The legacy ClientSecret is still set and never expires: remove it "
    '(PATCH /v1/apiclients/{id} {"ClientSecret": null}) once every system uses the new secret.'
)


def _rotation_out(client_id: str, rotation: Rotation) -> dict[str, Any]:
    """What ``rotate-secret`` prints: the new secret (this once) and what happens to the old."""
    return {
        "ClientID": client_id.lower(),
        "SecretID": rotation.created.secret.id,
        "ClientSecret": rotation.created.value,
        "OldSecretsExpire": rotation.old_secrets_expire.isoformat(),
        "ReplacedSecrets": rotation.replaced,
        "LegacyClientSecretSet": rotation.legacy_secret_set,
    }


@users_app.command("revoke-tokens")
def revoke_user_tokens(
    marketplace_id: Annotated[str, typer.Option("--marketplace-id", help="The marketplace.")],
    username: Annotated[str, typer.Option("--username", help="The user's username.")],
    as_json: JsonOpt = False,
    database_url: DatabaseOpt = None,
) -> None:
    """Revoke every access and refresh token of one user, through every client."""
    _run_services(
        database_url,
        lambda services: services.user_tokens.revoke_tokens_by_username(marketplace_id, username),
    )
    emit({"MarketplaceID": marketplace_id, "Username": username, "TokensRevoked": True}, as_json)
