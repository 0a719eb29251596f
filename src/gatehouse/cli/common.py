"""What every ``gatehouse`` command shares: option names, exit codes, settings, opening the
database without ever creating it, errors as one line, ``--json`` output and progress bars.

Exit codes (README "Exit codes", docs/operations.md):

- 0 ``OK``: done; ``review`` found nothing; ``explain`` would issue a token.
- 1 ``FINDINGS``: ``review`` listed findings; ``explain`` would refuse the token.
- 2 ``USAGE``: a bad option, argument or setting, or input the rules refuse (e.g. a weak
  password); click's own usage errors are 2 too.
- 3 ``NO_DATABASE``: the database is missing, empty, not migrated to this version, migrated
  by a newer Gatehouse, or unreachable; nothing was created or changed.
- 4 ``REFUSED``: the database was read but the request was refused: an unknown client, user
  or marketplace, or a rule such as "no secret to rotate".
- 70 ``INTERNAL``: an unexpected error (a bug): the traceback is printed.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from gatehouse.crypto_at_rest import EncryptionKeyError
from gatehouse.domain.errors import DomainError, InvalidInputError
from gatehouse.settings import Settings
from gatehouse.storage import migrate
from gatehouse.storage.db import Database
from gatehouse.storage.migrate import SchemaState
from gatehouse.storage.sealing import check_key

if TYPE_CHECKING:
    from gatehouse.services.registry import Services

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_NO_DATABASE = 3
EXIT_REFUSED = 4
EXIT_INTERNAL = 70

T = TypeVar("T")
err = Console(stderr=True, highlight=False, soft_wrap=True)

DatabaseOpt = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        help="Overrides GATEHOUSE_DATABASE_URL and the config file.",
        show_default=False,
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON (one object or array).")]
MarketplaceOpt = Annotated[
    str | None, typer.Option("--marketplace-id", help="The marketplace.", show_default=False)
]
MarketplaceAliasOpt = Annotated[
    str | None, typer.Option("--marketplace", hidden=True, help="Old name of --marketplace-id.")
]
ClientArg = Annotated[str, typer.Argument(help="The API client's ID.")]


def fail(message: str, code: int) -> NoReturn:
    """One line on stderr, then the exit code."""
    err.print(f"gatehouse: error: {message}", markup=False)
    raise typer.Exit(code)


def load_settings(**overrides: object) -> Settings:
    """Flags (``overrides``, None = not given) over the environment over the config file."""
    values = {k: v for k, v in overrides.items() if v is not None}
    try:
        return Settings(**values)  # type: ignore[arg-type]
    except (ValidationError, ValueError, OSError) as exc:
        fail(f"invalid settings: {_first_line(exc)}", EXIT_USAGE)


def _first_line(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        problem = exc.errors()[0]
        where = ".".join(str(p) for p in problem["loc"]) or "settings"
        return f"{where}: {problem['msg']}"
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


_NO_DATABASE = {
    SchemaState.MISSING: "no database at {url}: create it with `gatehouse db upgrade` "
    "(or `gatehouse serve`), or point --database-url / GATEHOUSE_DATABASE_URL at yours",
    SchemaState.UNREACHABLE: "cannot connect to the database at {url}",
    SchemaState.EMPTY: "the database at {url} is empty: run `gatehouse db upgrade` first",
    SchemaState.UNMIGRATED: "the database at {url} is at revision {revision}, this Gatehouse "
    "needs {head}: run `gatehouse db upgrade`",
    SchemaState.NEWER: "the database at {url} was migrated by a newer Gatehouse (revision "
    "{revision}); use that version",
}


async def require_database(url: str, *, allow_behind: bool = False) -> None:
    """Refuse (exit 3) unless the database exists and is migrated to this version. Nothing
    here creates a SQLite file or a table."""
    state, revision = await migrate.schema_state(url)
    if state is SchemaState.READY or (allow_behind and state is SchemaState.UNMIGRATED):
        return
    text = _NO_DATABASE[state].format(
        url=migrate.safe_url(url), revision=revision or "none", head=migrate.head_revision()
    )
    fail(text, EXIT_NO_DATABASE)


def run(settings: Settings, action: Callable[[Database], Awaitable[T]]) -> T:
    """Check the database, run ``action`` on it, dispose of it; domain refusals become one
    line and exit 2 (bad input) or 4 (refused)."""

    async def main() -> T:
        url = settings.effective_database_url
        await require_database(url)
        db = Database(url)
        try:
            # A command run without the servers' key must not write secrets the servers
            # cannot read (a signing key, a legacy ClientSecret): refuse it first.
            await check_key(db)
            return await action(db)
        finally:
            await db.dispose()

    try:
        return asyncio.run(main())
    except EncryptionKeyError as exc:
        fail(f"wrong encryption key: {exc}", EXIT_REFUSED)
    except DomainError as exc:
        code = EXIT_USAGE if isinstance(exc, InvalidInputError) else EXIT_REFUSED
        fail(f"{exc.code}: {exc.message}", code)


def run_services(settings: Settings, action: Callable[[Services], Awaitable[T]]) -> T:
    """``run`` with the services bound once to that database, the system clock and a
    password hasher, as the server binds them (``services.registry``)."""

    async def bound(db: Database) -> T:
        return await action(services_for(db, settings))

    return run(settings, bound)


def services_for(db: Database, settings: Settings) -> Services:
    """The services of one CLI command; imported here so commands that use none of them do
    not load them all at start-up."""
    from gatehouse.crypto import PasswordHasher
    from gatehouse.domain.clock import SystemClock
    from gatehouse.services.registry import Services

    return Services.build(db, SystemClock(), PasswordHasher.from_settings(settings))


def emit(body: Any, as_json: bool) -> None:
    """``--json``: the body as JSON; else ``Key: value`` lines (lists one item a line)."""
    if as_json:
        typer.echo(json.dumps(body))
        return
    if isinstance(body, dict):
        for key, value in body.items():
            typer.echo(f"{key}: {value}")
        return
    for item in body:
        typer.echo(item if isinstance(item, str) else json.dumps(item))


@contextmanager
def progress(
    description: str, total: float | None, *, quiet: bool
) -> Iterator[Callable[[float], None]]:
    """A Rich progress bar on stderr (only on a terminal and without ``--json``); yields the
    function that advances it."""
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=err,
        transient=True,
        disable=quiet or not err.is_terminal,
    )
    with bar:
        task = bar.add_task(description, total=total)
        yield lambda amount: bar.advance(task, amount)
