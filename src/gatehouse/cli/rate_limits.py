"""``gatehouse ratelimits show|set|clear``: rate limits from the server machine, acting on the
database directly (the same rules as ``/gatehouse/ratelimits``). Running servers pick changes
up on their next request: PostgreSQL notifies them in the write's transaction; on SQLite this
command bumps the shared epoch file itself."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from gatehouse.cli.common import (
    EXIT_USAGE,
    DatabaseOpt,
    JsonOpt,
    MarketplaceAliasOpt,
    MarketplaceOpt,
    fail,
    load_settings,
    run,
)
from gatehouse.domain.clock import SystemClock
from gatehouse.domain.rate_limits import RateLimits
from gatehouse.services import incidents, inventory
from gatehouse.services import rate_limits as service
from gatehouse.storage.db import Database

app = typer.Typer(
    help="Per-client and per-marketplace rate limits (docs/operations.md).",
    no_args_is_help=True,
)

ClientOpt = Annotated[
    str | None, typer.Option("--client-id", help="An API client (its own limits).")
]


def _limit(name: str) -> Any:
    return typer.Option(f"--{name}", help="Omit for unlimited.", show_default=False)


@app.command("show")
def show(
    client_id: ClientOpt = None,
    marketplace_id: MarketplaceOpt = None,
    marketplace: MarketplaceAliasOpt = None,
    as_json: JsonOpt = False,
    database_url: DatabaseOpt = None,
) -> None:
    """The limits that apply to a client (and their source), or a marketplace's default."""
    target = _target(client_id, marketplace_id or marketplace)
    _print(run(load_settings(database_url=database_url), lambda db: _show(db, *target)), as_json)


@app.command("set")
def set_limits(
    client_id: ClientOpt = None,
    marketplace_id: MarketplaceOpt = None,
    marketplace: MarketplaceAliasOpt = None,
    token_per_minute: Annotated[int | None, _limit("token-per-minute")] = None,
    token_burst: Annotated[int | None, _limit("token-burst")] = None,
    api_per_minute: Annotated[int | None, _limit("api-per-minute")] = None,
    api_burst: Annotated[int | None, _limit("api-burst")] = None,
    as_json: JsonOpt = False,
    database_url: DatabaseOpt = None,
) -> None:
    """Replace a client's limits, or a marketplace's default, as a whole."""
    target = _target(client_id, marketplace_id or marketplace)
    limits = RateLimits(token_per_minute, token_burst, api_per_minute, api_burst)
    settings = load_settings(database_url=database_url)
    _print(run(settings, lambda db: _set(db, *target, limits)), as_json)


@app.command("clear")
def clear(
    client_id: Annotated[str, typer.Option("--client-id", help="An API client.")],
    as_json: JsonOpt = False,
    database_url: DatabaseOpt = None,
) -> None:
    """Remove a client's own limits: the marketplace default applies again."""
    _print(run(load_settings(database_url=database_url), lambda db: _clear(db, client_id)), as_json)


def _print(result: dict[str, Any], as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(result))
    else:
        for key, value in result.items():
            typer.echo(f"{key}: {'unlimited' if value is None else value}")


def _out(limits: RateLimits, source: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "TokenRequestsPerMinute": limits.token_per_minute,
        "TokenBurst": limits.token_burst,
        "ApiRequestsPerMinute": limits.api_per_minute,
        "ApiBurst": limits.api_burst,
    }
    if source is not None:
        body["Source"] = source
    return body


def _target(client_id: str | None, marketplace_id: str | None) -> tuple[str | None, str | None]:
    if (client_id is None) == (marketplace_id is None):
        fail("give exactly one of --client-id and --marketplace-id", EXIT_USAGE)
    return client_id, marketplace_id


async def _show(db: Database, client_id: str | None, marketplace_id: str | None) -> Any:
    if client_id is not None:
        owner = await incidents.client_marketplace(db, client_id)
        view = await service.get_client(db, owner, client_id)
        return _out(view.limits, view.source)
    return _out(await service.get_marketplace(db, str(marketplace_id)))


async def _set(
    db: Database, client_id: str | None, marketplace_id: str | None, limits: RateLimits
) -> Any:
    """Running servers pick the change up on their next request: ``Database`` notifies
    them (PostgreSQL) or moves the SQLite epoch file after the commit."""
    if client_id is not None:
        owner = await incidents.client_marketplace(db, client_id)
        view = await service.put_client(db, SystemClock(), owner, client_id, limits)
        return _out(view.limits, view.source)
    await inventory.require_marketplace(db, str(marketplace_id))
    return _out(await service.put_marketplace(db, SystemClock(), str(marketplace_id), limits))


async def _clear(db: Database, client_id: str) -> Any:
    owner = await incidents.client_marketplace(db, client_id)
    await service.delete_client(db, owner, client_id)
    view = await service.get_client(db, owner, client_id)
    return _out(view.limits, view.source)
