"""The ``gatehouse`` command: serve, marketplace create, db upgrade, keys rotate, purge,
audit, rate limits, explain, review, and incident response on one client or user."""

from __future__ import annotations

import asyncio
import json
import os
from datetime import timedelta
from typing import Annotated, Any

import typer
from rich.console import Console

from gatehouse.cli import incidents, rate_limits
from gatehouse.cli.audit import audit_app
from gatehouse.cli.metrics_dir import metrics_directory
from gatehouse.crypto import PasswordHasher
from gatehouse.domain.audit import CLI
from gatehouse.domain.clock import SystemClock
from gatehouse.domain.errors import DomainError, NotFoundError
from gatehouse.domain.explain import Explanation
from gatehouse.http.metrics_access import HINT, MetricsAccess, metrics_access
from gatehouse.oauth.keys import ensure_signing_key, rotate_signing_key
from gatehouse.services.marketplaces import (
    MarketplaceCredentials,
    bootstrap_if_empty,
    create_marketplace,
)
from gatehouse.services.purge import purge as purge_expired
from gatehouse.settings import Settings
from gatehouse.storage import migrate
from gatehouse.storage.db import Database
from gatehouse.storage.queries.orders import PurgeCounts

app = typer.Typer(
    help="Gatehouse: an OrderCloud-compatible identity and access server.",
    no_args_is_help=True,
    add_completion=False,
)
marketplace_app = typer.Typer(help="Marketplaces.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
keys_app = typer.Typer(help="Token signing keys.", no_args_is_help=True)
app.add_typer(marketplace_app, name="marketplace")
app.add_typer(db_app, name="db")
app.add_typer(keys_app, name="keys")
app.add_typer(incidents.clients_app, name="clients")
app.add_typer(incidents.users_app, name="users")
app.add_typer(audit_app, name="audit")
app.add_typer(rate_limits.app, name="ratelimits")
err = Console(stderr=True)

DatabaseOpt = Annotated[
    str | None,
    typer.Option("--database-url", help="Overrides GATEHOUSE_DATABASE_URL.", show_default=False),
]


def _settings(**overrides: object) -> Settings:
    values = {k: v for k, v in overrides.items() if v is not None}
    return Settings(**values)  # type: ignore[arg-type]


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="GATEHOUSE_HOST (127.0.0.1)")] = None,
    port: Annotated[int | None, typer.Option(help="GATEHOUSE_PORT (8080)")] = None,
    workers: Annotated[int | None, typer.Option(help="GATEHOUSE_WORKERS (1)")] = None,
    database_url: DatabaseOpt = None,
    base_url: Annotated[str | None, typer.Option(help="GATEHOUSE_BASE_URL")] = None,
) -> None:
    """Apply migrations, bootstrap an empty database, then serve HTTP."""
    import uvicorn

    settings = _settings(
        host=host, port=port, workers=workers, database_url=database_url, base_url=base_url
    )
    credentials = asyncio.run(_prepare(settings))
    if credentials is not None:
        _print_bootstrap(credentials)
    # Worker processes build their own app from the environment, so hand the settings on.
    os.environ.update(
        {
            "GATEHOUSE_DATABASE_URL": settings.effective_database_url,
            "GATEHOUSE_BASE_URL": settings.effective_base_url,
            "GATEHOUSE_HOST": settings.host,  # /metrics is open without a token on loopback only
        }
    )
    if metrics_access(settings) is MetricsAccess.CLOSED:
        err.print(HINT, markup=False, soft_wrap=True)
    with metrics_directory(settings.workers):
        uvicorn.run(
            "gatehouse.cli.asgi:create_app_from_env",
            factory=True,
            host=settings.host,
            port=settings.port,
            workers=settings.workers,
            loop="uvloop",
            http="gatehouse.http.header_limits:LimitedHttpToolsProtocol",  # 431 on big heads
            log_level="info",
            access_log=False,
            proxy_headers=False,
        )


async def _prepare(settings: Settings) -> MarketplaceCredentials | None:
    url = settings.effective_database_url
    await migrate.upgrade(url)
    db = Database(url)
    try:
        await ensure_signing_key(db, SystemClock())
        return await bootstrap_if_empty(
            db,
            PasswordHasher(),
            SystemClock(),
            admin_username=settings.bootstrap_username,
            admin_password=settings.bootstrap_password,
        )
    finally:
        await db.dispose()


def _print_bootstrap(credentials: MarketplaceCredentials) -> None:
    console = Console()
    console.print("[bold]Created the first marketplace.[/bold] These credentials are shown once:")
    for key, value in credentials.as_json().items():
        console.print(f"  {key}: {value}")


@marketplace_app.command("create")
def marketplace_create(
    name: Annotated[str, typer.Option("--name", help="Marketplace name.")],
    admin_username: Annotated[str | None, typer.Option("--admin-username")] = None,
    admin_password: Annotated[str | None, typer.Option("--admin-password")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    database_url: DatabaseOpt = None,
) -> None:
    """Add a marketplace to the database (a running server serves it at once)."""
    settings = _settings(database_url=database_url)
    try:
        credentials = asyncio.run(_create(settings, name, admin_username, admin_password))
    except DomainError as exc:
        err.print(f"error: {exc.message}")
        raise typer.Exit(2) from exc
    if as_json:
        typer.echo(json.dumps(credentials.as_json()))
    else:
        for key, value in credentials.as_json().items():
            typer.echo(f"{key}: {value}")


async def _create(
    settings: Settings, name: str, username: str | None, password: str | None
) -> MarketplaceCredentials:
    url = settings.effective_database_url
    await migrate.upgrade(url)
    db = Database(url)
    try:
        return await create_marketplace(
            db,
            PasswordHasher(),
            SystemClock(),
            name=name,
            admin_username=username,
            admin_password=password,
        )
    finally:
        await db.dispose()


@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Argument()] = "head", database_url: DatabaseOpt = None
) -> None:
    """Apply migrations up to REVISION (default: head)."""
    asyncio.run(
        migrate.upgrade(_settings(database_url=database_url).effective_database_url, revision)
    )
    typer.echo(f"database upgraded to {revision}")


@db_app.command("downgrade")
def db_downgrade(
    revision: Annotated[str, typer.Argument()], database_url: DatabaseOpt = None
) -> None:
    """Revert migrations down to REVISION."""
    asyncio.run(
        migrate.downgrade(_settings(database_url=database_url).effective_database_url, revision)
    )
    typer.echo(f"database downgraded to {revision}")


@keys_app.command("rotate")
def keys_rotate(database_url: DatabaseOpt = None) -> None:
    """Add a new signing key; the old one stays published until its tokens have expired."""
    settings = _settings(database_url=database_url)
    kid = asyncio.run(_rotate(settings))
    typer.echo(f"new signing key: {kid}")


async def _rotate(settings: Settings) -> str:
    url = settings.effective_database_url
    await migrate.upgrade(url)
    db = Database(url)
    try:
        lifetime = timedelta(minutes=settings.max_token_lifetime_minutes)
        return await rotate_signing_key(db, SystemClock(), lifetime, CLI)
    finally:
        await db.dispose()


@app.command()
def purge(
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    database_url: DatabaseOpt = None,
) -> None:
    """Delete abandoned anonymous orders, spent anonymous tokens and dead refresh tokens."""
    counts = asyncio.run(_purge(_settings(database_url=database_url)))
    if as_json:
        typer.echo(json.dumps(counts.as_json()))
    else:
        for key, value in counts.as_json().items():
            typer.echo(f"{key}: {value}")


async def _purge(settings: Settings) -> PurgeCounts:
    url = settings.effective_database_url
    await migrate.upgrade(url)
    db = Database(url)
    try:
        return await purge_expired(db, SystemClock())
    finally:
        await db.dispose()


@app.command("explain")
def explain_command(
    client_id: Annotated[str, typer.Option("--client-id", help="The API client's ID.")],
    username: Annotated[
        str | None, typer.Option("--username", help="Required for the password grant.")
    ] = None,
    scope: Annotated[str | None, typer.Option("--scope", help="Space-separated roles.")] = None,
    grant_type: Annotated[
        str, typer.Option("--grant-type", help="password or client_credentials.")
    ] = "password",
    marketplace_id: Annotated[
        str | None, typer.Option("--marketplace-id", help="Only look in this marketplace.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    database_url: DatabaseOpt = None,
) -> None:
    """Explain whether a token would be issued, and why, without issuing one.

    Exit status: 0 a token would be issued, 1 it would be refused, 2 bad input."""
    from gatehouse.http.schemas.operations import explanation_out

    settings = _settings(database_url=database_url)
    try:
        explanation, name = asyncio.run(
            _explain(settings, client_id, username, scope, grant_type, marketplace_id)
        )
    except DomainError as exc:
        err.print(f"error: {exc.message}")
        raise typer.Exit(2) from exc
    body = explanation_out(explanation, client_id.strip().lower(), name)
    if as_json:
        typer.echo(json.dumps(body))
    else:
        _print_explanation(body)
    raise typer.Exit(0 if explanation.would_issue else 1)


async def _explain(
    settings: Settings,
    client_id: str,
    username: str | None,
    scope: str | None,
    grant_type: str,
    marketplace_id: str | None,
) -> tuple[Explanation, str | None]:
    from gatehouse.services.explain import explain_access

    db = Database(settings.effective_database_url)
    try:
        return await explain_access(
            db,
            SystemClock(),
            marketplace_id=marketplace_id,
            client_id=client_id,
            username=username,
            scope=scope,
            grant_type=grant_type,
            caller_roles=None,  # an operator on the server sees every user
        )
    finally:
        await db.dispose()


def _print_explanation(body: dict[str, Any]) -> None:
    verdict = "WOULD ISSUE a token" if body["WouldIssue"] else "WOULD REFUSE"
    typer.echo(f"{body['GrantType']} grant, client {body['ClientID']}, user {body['Username']}:")
    typer.echo(f"  {verdict}")
    marks = {True: "pass", False: "FAIL", None: "----"}
    for check in body["Checks"]:
        code = f" [{check['ErrorCode']}]" if check["ErrorCode"] else ""
        decisive = "  <- decisive" if check["Decisive"] else ""
        mark = marks[check["Passed"]]
        typer.echo(f"  {mark}  {check['Rule']}: {check['Detail']}{code}{decisive}")
    roles = body["Roles"]
    typer.echo(f"  granted roles: {' '.join(roles['Granted']) or '(none)'}")
    for dropped in roles["Dropped"]:
        typer.echo(f"  dropped: {dropped['Role']} ({dropped['Reason']})")
    if roles["MissingMinimum"]:
        typer.echo(f"  missing minimum roles: {' '.join(roles['MissingMinimum'])}")


@app.command("review")
def review_command(
    marketplace_id: Annotated[
        str | None,
        typer.Option("--marketplace-id", help="Review one marketplace (default: every one)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array.")] = False,
    database_url: DatabaseOpt = None,
) -> None:
    """List risky API client configurations, each with its reason and fix.

    Exit status: 0 nothing found, 1 findings listed, 2 bad input."""
    settings = _settings(database_url=database_url)
    try:
        found = asyncio.run(_review(settings, marketplace_id))
    except DomainError as exc:
        err.print(f"error: {exc.message}")
        raise typer.Exit(2) from exc
    if as_json:
        typer.echo(json.dumps(found))
    elif not found:
        typer.echo("no risky client configurations found")
    for item in [] if as_json else found:
        typer.echo(
            f"[{item['Severity']}] {item['Risk']}: {item['AppName']} ({item['ClientID']}, "
            f"marketplace {item['MarketplaceID']})"
        )
        typer.echo(f"    why: {item['Reason']}")
        typer.echo(f"    fix: {item['Fix']}")
    raise typer.Exit(1 if found else 0)


async def _review(settings: Settings, marketplace_id: str | None) -> list[dict[str, Any]]:
    from gatehouse.http.schemas.operations import finding_out
    from gatehouse.services.review import marketplace_ids, review_marketplace, thresholds_from

    db = Database(settings.effective_database_url)
    try:
        known = await marketplace_ids(db)
        if marketplace_id is not None and marketplace_id not in known:
            raise NotFoundError("Marketplace", marketplace_id)
        found = []
        for mp in [marketplace_id] if marketplace_id is not None else known:
            findings = await review_marketplace(db, SystemClock(), mp, thresholds_from(settings))
            found += [{"MarketplaceID": mp, **finding_out(f)} for f in findings]
        return found
    finally:
        await db.dispose()


def main() -> None:
    app()
