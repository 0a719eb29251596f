"""``gatehouse clients origins show|set|add|remove|clear CLIENT_ID [ORIGIN...]``: a client's
allowed browser origins (Gatehouse's own, docs/behaviour.md "Browsers and CORS"), straight
on the database with the same rules as ``/gatehouse/apiclients/{id}/origins``. Running
servers apply a change from their next request (PostgreSQL notifications or the SQLite epoch
file), as for every other client change."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from gatehouse.cli.common import ClientArg, DatabaseOpt, JsonOpt, load_settings, run_services
from gatehouse.domain import audit
from gatehouse.domain.origins import normalize_origin

app = typer.Typer(
    help="A client's allowed browser origins (none listed: every origin the deployment allows).",
    no_args_is_help=True,
)

if TYPE_CHECKING:
    from gatehouse.services.registry import Services
OriginsArg = Annotated[list[str], typer.Argument(help="Origins, e.g. https://shop.example.com")]
Edit = Callable[[tuple[str, ...]], Sequence[str]]
T = TypeVar("T")


def _run(database_url: str | None, action: Callable[[Services], Awaitable[T]]) -> T:
    return run_services(load_settings(database_url=database_url), action)


@app.command("show")
def show(client_id: ClientArg, as_json: JsonOpt = False, database_url: DatabaseOpt = None) -> None:
    """Print the client's allowed origins."""

    async def action(services: Services) -> tuple[str, ...]:
        marketplace_id = await services.incidents.client_marketplace(client_id)
        return await services.api_client_origins.get(marketplace_id, client_id)

    _print(client_id, _run(database_url, action), as_json)


@app.command("set")
def set_origins(
    client_id: ClientArg,
    origins: OriginsArg,
    as_json: JsonOpt = False,
    database_url: DatabaseOpt = None,
) -> None:
    """Replace the list."""
    _change(database_url, client_id, lambda _current: origins, as_json)


@app.command("add")
def add(
    client_id: ClientArg,
    origins: OriginsArg,
    as_json: JsonOpt = False,
    database_url: DatabaseOpt = None,
) -> None:
    """Add origins to the list."""
    _change(database_url, client_id, lambda current: [*current, *origins], as_json)


@app.command("remove")
def remove(
    client_id: ClientArg,
    origins: OriginsArg,
    as_json: JsonOpt = False,
    database_url: DatabaseOpt = None,
) -> None:
    """Remove origins from the list (removing the last one allows every origin again)."""

    def edit(current: tuple[str, ...]) -> list[str]:
        gone = {normalize_origin(origin) for origin in origins}
        return [origin for origin in current if origin not in gone]

    _change(database_url, client_id, edit, as_json)


@app.command("clear")
def clear(client_id: ClientArg, as_json: JsonOpt = False, database_url: DatabaseOpt = None) -> None:
    """Empty the list: every origin the deployment allows may use the client again."""
    _change(database_url, client_id, lambda _current: [], as_json)


def _change(database_url: str | None, client_id: str, edit: Edit, as_json: bool) -> None:
    async def action(services: Services) -> tuple[str, ...]:
        marketplace_id = await services.incidents.client_marketplace(client_id)
        origins = services.api_client_origins
        current = await origins.get(marketplace_id, client_id)
        return await origins.put(marketplace_id, client_id, edit(current), audit.CLI)

    _print(client_id, _run(database_url, action), as_json)


def _print(client_id: str, origins: tuple[str, ...], as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps({"ClientID": client_id.lower(), "AllowedOrigins": list(origins)}))
    elif origins:
        typer.echo("\n".join(origins))
    else:
        typer.echo("every origin the deployment allows (no list)")
