"""``gatehouse keys generate`` and ``gatehouse keys rewrap``: the key-encryption key that
protects signing keys and client secrets at rest (``gatehouse.crypto_at_rest``)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from gatehouse.crypto_at_rest import EncryptionKeyError, SecretBox, generate_key
from gatehouse.settings import Settings
from gatehouse.storage import migrate
from gatehouse.storage.db import Database
from gatehouse.storage.sealing import rewrap

err = Console(stderr=True)


def register(keys_app: typer.Typer) -> None:
    """Add this module's commands to the ``keys`` group."""
    keys_app.command("generate")(keys_generate)
    keys_app.command("rewrap")(keys_rewrap)


def keys_generate() -> None:
    """Print a new encryption key (base64url of 32 random bytes) for GATEHOUSE_ENCRYPTION_KEY."""
    typer.echo(generate_key())


def keys_rewrap(
    old_key_file: Annotated[
        Path | None,
        typer.Option(help="File holding the old key (or set GATEHOUSE_OLD_ENCRYPTION_KEY)."),
    ] = None,
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url", help="Overrides GATEHOUSE_DATABASE_URL.", show_default=False
        ),
    ] = None,
) -> None:
    """Re-encrypt every stored secret with the configured key (GATEHOUSE_ENCRYPTION_KEY or
    _FILE), decrypting with the old key; one transaction: all or nothing."""
    settings = Settings()
    if database_url:
        settings = settings.model_copy(update={"database_url": database_url})
    old = (old_key_file.read_text(),) if old_key_file else ()
    try:
        count, key_id = asyncio.run(_rewrap(settings, old))
    except EncryptionKeyError as exc:
        err.print(f"[red]rewrap failed, nothing changed: {exc}[/red]", soft_wrap=True)
        raise typer.Exit(1) from None
    typer.echo(f"re-encrypted {count} stored secret(s) with key {key_id}")


async def _rewrap(settings: Settings, old: tuple[str, ...]) -> tuple[int, str | None]:
    url = settings.effective_database_url
    await migrate.upgrade(url)
    box = SecretBox.from_settings(settings, url, old_keys=old)
    db = Database(url, box)
    try:
        return await rewrap(db), box.key_id
    finally:
        await db.dispose()
