"""``gatehouse keys generate`` and ``gatehouse keys rewrap``: the key-encryption key that
protects signing keys and client secrets at rest (``gatehouse.crypto_at_rest``)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from gatehouse.cli.common import (
    EXIT_REFUSED,
    DatabaseOpt,
    JsonOpt,
    emit,
    fail,
    load_settings,
    require_database,
)
from gatehouse.crypto_at_rest import EncryptionKeyError, SecretBox, generate_key
from gatehouse.settings import Settings
from gatehouse.storage.db import Database
from gatehouse.storage.sealing import rewrap


def register(keys_app: typer.Typer) -> None:
    """Add this module's commands to the ``keys`` group."""
    keys_app.command("generate")(keys_generate)
    keys_app.command("rewrap")(keys_rewrap)


def keys_generate(as_json: JsonOpt = False) -> None:
    """Print a new encryption key (base64url of 32 random bytes) for GATEHOUSE_ENCRYPTION_KEY.
    Needs no database."""
    key = generate_key()
    if as_json:
        emit({"EncryptionKey": key}, as_json)
    else:
        typer.echo(key)


def keys_rewrap(
    old_key_file: Annotated[
        Path | None,
        typer.Option(help="File holding the old key (or set GATEHOUSE_OLD_ENCRYPTION_KEY)."),
    ] = None,
    as_json: JsonOpt = False,
    database_url: DatabaseOpt = None,
) -> None:
    """Re-encrypt every stored secret with the configured key (GATEHOUSE_ENCRYPTION_KEY or
    _FILE), decrypting with the old key; one transaction: all or nothing."""
    settings = load_settings(database_url=database_url)
    old = (old_key_file.read_text(),) if old_key_file else ()
    try:
        count, key_id = asyncio.run(_rewrap(settings, old))
    except EncryptionKeyError as exc:
        fail(f"rewrap failed, nothing changed: {exc}", EXIT_REFUSED)
    if as_json:
        emit({"Reencrypted": count, "KeyID": key_id}, as_json)
    else:
        typer.echo(f"re-encrypted {count} stored secret(s) with key {key_id}")


async def _rewrap(settings: Settings, old: tuple[str, ...]) -> tuple[int, str | None]:
    url = settings.effective_database_url
    await require_database(url)
    box = SecretBox.from_settings(settings, url, old_keys=old)
    db = Database(url, box)
    try:
        return await rewrap(db), box.key_id
    finally:
        await db.dispose()
