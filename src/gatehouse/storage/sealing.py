"""The columns encrypted at rest, and the whole-table operations on them.

Every column holding a secret that must be readable again (so it cannot be hashed) is listed
in ``ENCRYPTED_COLUMNS`` with the purpose (associated data) its values are bound to. Three
operations walk them, each in one transaction:

- ``check_key``: every encrypted value names a key this process has (a clear startup error
  for a wrong or missing key, before any request fails on it);
- ``seal``: encrypt the ``plain:`` values left by migration 0010 or by a deployment that
  ran without a key (done at every start once a key is configured);
- ``rewrap``: re-encrypt every value under the current key (``gatehouse keys rewrap``).

Another feature adds its column with ``register`` (one line, at import of its models).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from gatehouse.crypto_at_rest import PLAIN_PREFIX, EncryptionKeyError, SecretBox
from gatehouse.storage.db import Database
from gatehouse.storage.models import ApiClientRow, OpenIdConnectRow, SigningKeyRow

log = logging.getLogger("gatehouse.secrets")

PLAINTEXT_WARNING = (
    "!!! NO ENCRYPTION KEY: signing private keys and client secrets are stored IN CLEAR in "
    "the database; anyone with a copy or backup of it can mint tokens. Set "
    "GATEHOUSE_ENCRYPTION_KEY (or GATEHOUSE_ENCRYPTION_KEY_FILE) to the output of "
    "`gatehouse keys generate` on every node; the next start encrypts the stored values. !!!"
)


@dataclass(frozen=True, slots=True)
class EncryptedColumn:
    """A column whose non-empty values are ``SecretBox`` values bound to ``purpose(id)``."""

    id_column: InstrumentedAttribute[Any]
    value_column: InstrumentedAttribute[Any]
    purpose: Callable[[str], str]

    @property
    def name(self) -> str:
        return f"{self.value_column.class_.__tablename__}.{self.value_column.key}"


def signing_key_purpose(kid: str) -> str:
    """Binds an encrypted private key to its kid's row."""
    return f"signing_keys.private_key_pem:{kid}"


def client_secret_purpose(client_id: str) -> str:
    """Binds a stored legacy ``ClientSecret`` to its client's row."""
    return f"api_clients.client_secret:{client_id}"


def connect_client_secret_purpose(sealing_key: str) -> str:
    """Binds an IdP client secret (``ConnectClientSecret``, single sign-on) to its config:
    ``sealing_key`` is ``{marketplace_id}:{config id}`` (config IDs are per marketplace)."""
    return f"openid_connects.connect_client_secret:{sealing_key}"


def connect_secret_purpose(marketplace_id: str, config_id: str) -> str:
    """A sealed ``ConnectClientSecret`` copied to another config (or marketplace) does not
    open."""
    return connect_client_secret_purpose(f"{marketplace_id}:{config_id}")


class SecretSealer(Protocol):
    """``SecretBox``'s two methods the OpenID Connect configs use (tests may pass another)."""

    def encrypt(self, plaintext: str, *, purpose: str) -> str: ...

    def decrypt(self, stored: str, *, purpose: str) -> str: ...


ENCRYPTED_COLUMNS: list[EncryptedColumn] = [
    EncryptedColumn(SigningKeyRow.kid, SigningKeyRow.private_key_pem, signing_key_purpose),
    EncryptedColumn(ApiClientRow.id, ApiClientRow.client_secret, client_secret_purpose),
    EncryptedColumn(
        OpenIdConnectRow.sealing_key,
        OpenIdConnectRow.connect_client_secret,
        connect_client_secret_purpose,
    ),
]


def register(column: EncryptedColumn) -> None:
    """Add a feature's encrypted column, so check, seal and rewrap cover it."""
    if all(existing.name != column.name for existing in ENCRYPTED_COLUMNS):
        ENCRYPTED_COLUMNS.append(column)


async def _stored(session: AsyncSession, column: EncryptedColumn) -> list[tuple[str, str]]:
    rows = await session.execute(
        select(column.id_column, column.value_column).where(
            column.value_column.is_not(None), column.value_column != ""
        )
    )
    return [(str(row_id), str(value)) for row_id, value in rows.all()]


async def check_key(db: Database) -> None:
    """Raise ``EncryptionKeyError`` if a stored value needs a key this process lacks."""
    box = db.secret_box
    async with db.read() as session:
        for column in ENCRYPTED_COLUMNS:
            for row_id, value in await _stored(session, column):
                if SecretBox.stored_key_id(value) is not None:
                    box.decrypt(value, purpose=column.purpose(row_id))


async def seal(db: Database) -> int:
    """Encrypt every ``plain:`` value under the current key; how many were encrypted."""
    box = db.secret_box
    if not box.enabled:
        return 0
    return await _reencrypt(db, box, lambda value: value.startswith(PLAIN_PREFIX))


async def rewrap(db: Database) -> int:
    """Re-encrypt every value not under the current key (old keys in ``box.previous``)."""
    box = db.secret_box
    if not box.enabled:
        raise EncryptionKeyError("rewrap needs a new key: set GATEHOUSE_ENCRYPTION_KEY (or _FILE)")
    return await _reencrypt(db, box, lambda value: not box.is_current(value))


async def _reencrypt(db: Database, box: SecretBox, wanted: Callable[[str], bool]) -> int:
    count = 0
    async with db.write() as session:
        for column in ENCRYPTED_COLUMNS:
            for row_id, value in await _stored(session, column):
                if not wanted(value):
                    continue
                purpose = column.purpose(row_id)
                sealed = box.encrypt(box.decrypt(value, purpose=purpose), purpose=purpose)
                await session.execute(
                    update(column.value_column.class_)
                    .where(column.id_column == row_id, column.value_column == value)
                    .values({column.value_column.key: sealed})
                )
                count += 1
    return count


async def prepare_secrets(db: Database) -> None:
    """At start: say where the key comes from (loudly when there is none), refuse a wrong
    key, and encrypt what is still plain."""
    box = db.secret_box
    if box.enabled:
        log.info("secrets at rest: encrypted with key %s from %s", box.key_id, box.source)
    else:
        log.warning(PLAINTEXT_WARNING)
    await check_key(db)
    sealed = await seal(db)
    if sealed:
        log.warning("secrets at rest: encrypted %d stored secret(s) (key %s)", sealed, box.key_id)
