"""``gatehouse ratelimits show|set|clear``: rate limits from the server machine, acting on the
database directly (the same rules as ``/gatehouse/ratelimits``). Running servers pick changes
up on their next request: PostgreSQL notifies them in the write's transaction; on SQLite this
command bumps the shared epoch file itself."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any

import typer

from gatehouse.cli.common import (
    EXIT_USAGE,
    DatabaseOpt,
    JsonOpt,
    MarketplaceAliasOpt,
    MarketplaceOpt,
    fail,
    load_settings,
    run_services,
)
from gatehouse.domain.rate_limits import RateLimits

app = typer.Typer(
    help="Per-client and per-marketplace rate limits (docs/operations.md).",
    no_args_is_help=True,
)

if TYPE_CHECKING:
    from gatehouse.services.registry import Services

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
    settings = load_settings(database_url=database_url)
    _print(run_services(settings, lambda s: _show(s, *target)), as_json)


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
    _print(run_services(settings, lambda s: _set(s, *target, limits)), as_json)


@app.command("clear")
def clear(
    client_id: Annotated[str, typer.Option("--client-id", help="An API client.")],
    as_json: JsonOpt = False,
    database_url: DatabaseOpt = None,
) -> None:
    """Remove a client's own limits: the marketplace default applies again."""
    settings = load_settings(database_url=database_url)
    _print(run_services(settings, lambda s: _clear(s, client_id)), as_json)


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


async def _show(services: Services, client_id: str | None, marketplace_id: str | None) -> Any:
    if client_id is not None:
        owner = await services.incidents.client_marketplace(client_id)
        view = await services.rate_limits.get_client(owner, client_id)
        return _out(view.limits, view.source)
    return _out(await services.rate_limits.get_marketplace(str(marketplace_id)))


async def _set(
    services: Services, client_id: str | None, marketplace_id: str | None, limits: RateLimits
) -> Any:
    """Running servers pick the change up on their next request: ``Database`` notifies
    them (PostgreSQL) or moves the SQLite epoch file after the commit."""
    if client_id is not None:
        owner = await services.incidents.client_marketplace(client_id)
        view = await services.rate_limits.put_client(owner, client_id, limits)
        return _out(view.limits, view.source)
    await services.inventory.require_marketplace(str(marketplace_id))
    return _out(await services.rate_limits.put_marketplace(str(marketplace_id), limits))


async def _clear(services: Services, client_id: str) -> Any:
    owner = await services.incidents.client_marketplace(client_id)
    await services.rate_limits.delete_client(owner, client_id)
    view = await services.rate_limits.get_client(owner, client_id)
    return _out(view.limits, view.source)
