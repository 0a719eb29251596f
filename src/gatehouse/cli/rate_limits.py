"""``gatehouse ratelimits show|set|clear``: rate limits from the server machine, acting on the
database directly (the same rules as ``/gatehouse/ratelimits``). Running servers pick changes
up on their next request: PostgreSQL notifies them in the write's transaction; on SQLite this
command bumps the shared epoch file itself."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated, Any

import typer
from sqlalchemy import select

from gatehouse.domain.clock import SystemClock
from gatehouse.domain.errors import DomainError, NotFoundError
from gatehouse.domain.ids import normalize_client_id
from gatehouse.domain.rate_limits import RateLimits
from gatehouse.services import rate_limits as service
from gatehouse.settings import Settings
from gatehouse.storage.db import Database
from gatehouse.storage.models import ApiClientRow, Marketplace

app = typer.Typer(
    help="Per-client and per-marketplace rate limits (docs/operations.md).",
    no_args_is_help=True,
)

DatabaseOpt = Annotated[
    str | None,
    typer.Option("--database-url", help="Overrides GATEHOUSE_DATABASE_URL.", show_default=False),
]
ClientOpt = Annotated[
    str | None, typer.Option("--client-id", help="An API client (its own limits).")
]
MarketplaceOpt = Annotated[
    str | None, typer.Option("--marketplace", help="A marketplace (its default limits).")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]


def _limit(name: str) -> Any:
    return typer.Option(f"--{name}", help="Omit for unlimited.", show_default=False)


@app.command("show")
def show(
    client_id: ClientOpt = None,
    marketplace: MarketplaceOpt = None,
    as_json: JsonOpt = False,
    database_url: DatabaseOpt = None,
) -> None:
    """The limits that apply to a client (and their source), or a marketplace's default."""
    _run(_show(_settings(database_url), client_id, marketplace), as_json)


@app.command("set")
def set_limits(
    client_id: ClientOpt = None,
    marketplace: MarketplaceOpt = None,
    token_per_minute: Annotated[int | None, _limit("token-per-minute")] = None,
    token_burst: Annotated[int | None, _limit("token-burst")] = None,
    api_per_minute: Annotated[int | None, _limit("api-per-minute")] = None,
    api_burst: Annotated[int | None, _limit("api-burst")] = None,
    as_json: JsonOpt = False,
    database_url: DatabaseOpt = None,
) -> None:
    """Replace a client's limits, or a marketplace's default, as a whole."""
    limits = RateLimits(token_per_minute, token_burst, api_per_minute, api_burst)
    _run(_set(_settings(database_url), client_id, marketplace, limits), as_json)


@app.command("clear")
def clear(
    client_id: Annotated[str, typer.Option("--client-id", help="An API client.")],
    as_json: JsonOpt = False,
    database_url: DatabaseOpt = None,
) -> None:
    """Remove a client's own limits: the marketplace default applies again."""
    _run(_clear(_settings(database_url), client_id), as_json)


def _settings(database_url: str | None) -> Settings:
    return Settings(database_url=database_url) if database_url else Settings()


def _run(work: Any, as_json: bool) -> None:
    try:
        result: dict[str, Any] = asyncio.run(work)
    except DomainError as exc:
        typer.echo(f"error: {exc.code}: {exc.message}", err=True)
        raise typer.Exit(2) from exc
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


def _target(client_id: str | None, marketplace: str | None) -> None:
    if (client_id is None) == (marketplace is None):
        typer.echo("error: give exactly one of --client-id and --marketplace", err=True)
        raise typer.Exit(2)


async def _marketplace_of(db: Database, client_id: str) -> str:
    async with db.read() as session:
        found = await session.scalar(
            select(ApiClientRow.marketplace_id).where(
                ApiClientRow.id == normalize_client_id(client_id)
            )
        )
    if found is None:
        raise NotFoundError("ApiClient", client_id)
    return str(found)


async def _show(settings: Settings, client_id: str | None, marketplace: str | None) -> Any:
    _target(client_id, marketplace)
    db = Database(settings.effective_database_url)
    try:
        if client_id is not None:
            view = await service.get_client(db, await _marketplace_of(db, client_id), client_id)
            return _out(view.limits, view.source)
        return _out(await service.get_marketplace(db, str(marketplace)))
    finally:
        await db.dispose()


async def _set(
    settings: Settings, client_id: str | None, marketplace: str | None, limits: RateLimits
) -> Any:
    _target(client_id, marketplace)
    db = _database(settings)
    try:
        if client_id is not None:
            owner = await _marketplace_of(db, client_id)
            view = await service.put_client(db, SystemClock(), owner, client_id, limits)
            return _out(view.limits, view.source)
        async with db.read() as session:
            if await session.get(Marketplace, marketplace) is None:
                raise NotFoundError("Marketplace", marketplace)
        return _out(await service.put_marketplace(db, SystemClock(), str(marketplace), limits))
    finally:
        await db.dispose()


async def _clear(settings: Settings, client_id: str) -> Any:
    db = _database(settings)
    try:
        owner = await _marketplace_of(db, client_id)
        await service.delete_client(db, owner, client_id)
        view = await service.get_client(db, owner, client_id)
        return _out(view.limits, view.source)
    finally:
        await db.dispose()


def _database(settings: Settings) -> Database:
    """A database whose invalidating writes also reach SQLite servers (their epoch file)."""
    # ``Database`` itself moves the SQLite epoch after every invalidating commit.
    return Database(settings.effective_database_url)
