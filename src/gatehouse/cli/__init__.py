"""The ``gatehouse`` command: serve, marketplace create, db upgrade, keys rotate, purge,
audit, rate limits, explain, review, and incident response on one client or user."""

from __future__ import annotations

import asyncio
import os
import sys
import traceback
from datetime import timedelta
from typing import Annotated

import typer
from rich.console import Console

from gatehouse import __version__
from gatehouse.cli import clients, encryption, incidents, origins, rate_limits, troubleshooting
from gatehouse.cli.audit import audit_app
from gatehouse.cli.common import (
    EXIT_INTERNAL,
    EXIT_OK,
    DatabaseOpt,
    JsonOpt,
    emit,
    load_settings,
    progress,
    require_database,
    run,
)
from gatehouse.cli.metrics_dir import metrics_directory
from gatehouse.crypto import PasswordHasher
from gatehouse.crypto_at_rest import EncryptionKeyError
from gatehouse.domain.audit import CLI
from gatehouse.domain.clock import SystemClock
from gatehouse.http.metrics_access import HINT, MetricsAccess, metrics_access
from gatehouse.logs import configure_logging
from gatehouse.oauth.keys import ensure_signing_key, schedule_signing_key
from gatehouse.services.marketplaces import (
    MarketplaceCredentials,
    bootstrap_if_empty,
    create_marketplace,
)
from gatehouse.services.purge import purge as purge_expired
from gatehouse.settings import Settings
from gatehouse.storage import migrate
from gatehouse.storage.db import Database
from gatehouse.storage.sealing import prepare_secrets

app = typer.Typer(
    help="Gatehouse: an OrderCloud-compatible identity and access server.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
marketplace_app = typer.Typer(help="Marketplaces.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
keys_app = typer.Typer(help="Token signing keys.", no_args_is_help=True)
app.add_typer(marketplace_app, name="marketplace")
app.add_typer(db_app, name="db")
app.add_typer(keys_app, name="keys")
app.add_typer(incidents.clients_app, name="clients")
incidents.clients_app.add_typer(origins.app, name="origins")
app.add_typer(incidents.users_app, name="users")
app.add_typer(audit_app, name="audit")
app.add_typer(rate_limits.app, name="ratelimits")
encryption.register(keys_app)
clients.register(incidents.clients_app, incidents.users_app, marketplace_app)
err = Console(stderr=True)


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"gatehouse {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _global_options(
    config: Annotated[
        str | None,
        typer.Option(
            "--config",
            help="A TOML settings file (GATEHOUSE_CONFIG); flags and environment override it.",
            show_default=False,
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_show_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Options every command accepts before its name: ``gatehouse --config FILE serve``."""
    if config is not None:
        # Through the environment, so `serve`'s worker processes read the same file.
        os.environ["GATEHOUSE_CONFIG"] = config


_settings = load_settings


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="GATEHOUSE_HOST (127.0.0.1)")] = None,
    port: Annotated[int | None, typer.Option(help="GATEHOUSE_PORT (8080)")] = None,
    workers: Annotated[int | None, typer.Option(help="GATEHOUSE_WORKERS (1)")] = None,
    database_url: DatabaseOpt = None,
    base_url: Annotated[str | None, typer.Option(help="GATEHOUSE_BASE_URL")] = None,
) -> None:
    """Apply migrations, bootstrap an empty database, then serve HTTP."""
    from gatehouse import serving  # uvicorn is imported by the serving command only

    settings = _settings(
        host=host, port=port, workers=workers, database_url=database_url, base_url=base_url
    )
    configure_logging(settings.log_format)
    try:
        credentials = asyncio.run(_prepare(settings))
    except EncryptionKeyError as exc:
        err.print(f"[red]cannot start: {exc}[/red]", soft_wrap=True)
        raise typer.Exit(1) from None
    if credentials is not None:
        _print_bootstrap(credentials, settings.effective_base_url)
    # Worker processes build their own app from the environment, so hand the settings on.
    os.environ.update(
        {
            "GATEHOUSE_DATABASE_URL": settings.effective_database_url,
            "GATEHOUSE_BASE_URL": settings.effective_base_url,
            "GATEHOUSE_HOST": settings.host,  # /metrics is open without a token on loopback only
            "GATEHOUSE_WORKERS": str(settings.workers),  # each hashes on its share of the cores
        }
    )
    if metrics_access(settings) is MetricsAccess.CLOSED:
        err.print(HINT, markup=False, soft_wrap=True)
    with metrics_directory(settings.workers):
        status = serving.serve(settings.host, settings.port, settings.workers)
    if status:
        raise typer.Exit(status)


async def _prepare(settings: Settings) -> MarketplaceCredentials | None:
    url = settings.effective_database_url
    await migrate.upgrade(url)
    db = Database(url)
    try:
        await prepare_secrets(db)
        await ensure_signing_key(db, SystemClock())
        return await bootstrap_if_empty(
            db,
            PasswordHasher.from_settings(settings),
            SystemClock(),
            admin_username=settings.bootstrap_username,
            admin_password=settings.bootstrap_password,
        )
    finally:
        await db.dispose()


def _print_bootstrap(credentials: MarketplaceCredentials, base_url: str) -> None:
    console = Console()
    console.print("[bold]Created the first marketplace.[/bold] These credentials are shown once:")
    for key, value in credentials.as_json().items():
        console.print(f"  {key}: {value}")
    # The admin console (issue 9): sign in there with the Username and Password above.
    console.print(f"  Console: {base_url.rstrip('/')}/gatehouse/console", soft_wrap=True)


@marketplace_app.command("create")
def marketplace_create(
    name: Annotated[str, typer.Option("--name", help="Marketplace name.")],
    admin_username: Annotated[str | None, typer.Option("--admin-username")] = None,
    admin_password: Annotated[str | None, typer.Option("--admin-password")] = None,
    as_json: JsonOpt = False,
    database_url: DatabaseOpt = None,
) -> None:
    """Add a marketplace to the database (a running server serves it at once)."""
    settings = _settings(database_url=database_url)
    credentials = run(
        settings,
        lambda db: create_marketplace(
            db,
            PasswordHasher.from_settings(settings),
            SystemClock(),
            name=name,
            admin_username=admin_username,
            admin_password=admin_password,
        ),
    )
    emit(credentials.as_json(), as_json)


@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Argument()] = "head",
    as_json: JsonOpt = False,
    database_url: DatabaseOpt = None,
) -> None:
    """Create the database's tables, or apply migrations up to REVISION (default: head).
    With `serve`, the only command that may create a database."""
    url = _settings(database_url=database_url).effective_database_url
    applied = asyncio.run(_upgrade(url, revision, as_json))
    emit({"Revision": revision, "Applied": applied}, as_json)


async def _upgrade(url: str, revision: str, quiet: bool) -> list[str]:
    state, current = await migrate.schema_state(url)
    pending = [] if state is migrate.SchemaState.NEWER else migrate.pending_revisions(current)
    applied: list[str] = []
    with progress("migrating", len(pending) or None, quiet=quiet) as advance:

        def step(name: str) -> None:
            applied.append(name)
            advance(1)

        await migrate.upgrade(url, revision, on_applied=step)
    return applied


@db_app.command("downgrade")
def db_downgrade(
    revision: Annotated[str, typer.Argument()],
    as_json: JsonOpt = False,
    database_url: DatabaseOpt = None,
) -> None:
    """Revert migrations down to REVISION (the database must exist)."""
    url = _settings(database_url=database_url).effective_database_url

    async def downgrade() -> None:
        await require_database(url, allow_behind=True)
        await migrate.downgrade(url, revision)

    asyncio.run(downgrade())
    emit({"Revision": revision}, as_json)


@keys_app.command("rotate")
def keys_rotate(
    as_json: JsonOpt = False,
    database_url: DatabaseOpt = None,
    activate_in: Annotated[
        float | None,
        typer.Option(
            help="Seconds until the new key signs (default and minimum: twice "
            "GATEHOUSE_KEY_REFRESH_SECONDS, so every process has loaded it by then)."
        ),
    ] = None,
) -> None:
    """Publish a new signing key now and sign with it once every process has loaded it; the
    old one signs until then and stays published until its tokens have expired."""
    settings = _settings(database_url=database_url)
    delay = max(activate_in or 0.0, 2 * settings.key_refresh_seconds)
    lifetime = timedelta(minutes=settings.max_token_lifetime_minutes)
    kid, activates = run(
        settings,
        lambda db: schedule_signing_key(
            db, SystemClock(), lifetime, CLI, activation_delay=timedelta(seconds=delay)
        ),
    )
    if as_json:
        body = {"KeyID": kid, "SignsFrom": activates.isoformat(timespec="seconds")}
        emit({**body, "SignsInSeconds": delay}, as_json)
        return
    typer.echo(f"new signing key: {kid}")
    typer.echo(
        f"published now; signs from {activates.isoformat(timespec='seconds')} (in {delay:g} s), "
        f"when every process has re-read the keys (GATEHOUSE_KEY_REFRESH_SECONDS="
        f"{settings.key_refresh_seconds:g} must match the servers')"
    )


@app.command()
def purge(as_json: JsonOpt = False, database_url: DatabaseOpt = None) -> None:
    """Delete abandoned anonymous orders, spent anonymous tokens and dead refresh tokens."""
    with progress("purging", 3, quiet=as_json) as advance:
        counts = run(
            _settings(database_url=database_url),
            lambda db: purge_expired(db, SystemClock(), on_step=lambda _name: advance(1)),
        )
    emit(counts.as_json(), as_json)


troubleshooting.register(app)  # after the commands above, so --help lists them first


def main() -> None:
    """The console script: an unexpected error prints its traceback and exits 70, never 1
    (which means "findings")."""
    try:
        app()
    except Exception:
        traceback.print_exc()
        sys.exit(EXIT_INTERNAL)
