"""Secrets at rest: AES-256-GCM under a key-encryption key (KEK) kept outside the database.

Signing private keys, legacy ``ClientSecret``s and IdP client secrets are returned or used in
clear, so they cannot be hashed; a copy of the database must still not reveal them. Each value
is stored as ``enc:v1:<key id>:<base64url(nonce ‖ ciphertext ‖ tag)>``, with a *purpose* (the
column and the row's id) bound as associated data, so a ciphertext copied to another row or
column does not decrypt. The key id names the KEK, so a wrong key is reported as such, and
``gatehouse keys rewrap`` can move every value to a new one.

The KEK comes from ``GATEHOUSE_ENCRYPTION_KEY`` (base64url of 32 random bytes, padding
optional) or from the file named by ``GATEHOUSE_ENCRYPTION_KEY_FILE`` (the same text). The
embedded SQLite default creates ``<database file>.key`` (mode 0600) beside the database.
A PostgreSQL deployment without a key runs in *plaintext mode*: values are stored as
``plain:<value>`` and every start logs a loud warning; once a key is configured, the server
encrypts those rows at its next start (``gatehouse.storage.sealing``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

if TYPE_CHECKING:
    from gatehouse.settings import Settings

__all__ = [
    "ENCRYPTED_PREFIX",
    "PLAIN_PREFIX",
    "EncryptionKeyError",
    "SecretBox",
    "UndecryptableSecretError",
    "generate_key",
    "parse_key",
]

log = logging.getLogger("gatehouse.crypto")

KEY_BYTES = 32
NONCE_BYTES = 12
ENCRYPTED_PREFIX = "enc:v1:"
PLAIN_PREFIX = "plain:"


class EncryptionKeyError(RuntimeError):
    """The configured key is missing, malformed, or not the one the data was encrypted with."""


class UndecryptableSecretError(EncryptionKeyError):
    """A stored value fails authentication: wrong key, another row's value, or tampering."""


def generate_key() -> str:
    """A new KEK in the documented text form: base64url of 32 random bytes, no padding."""
    return base64.urlsafe_b64encode(secrets.token_bytes(KEY_BYTES)).rstrip(b"=").decode()


def parse_key(text: str) -> bytes:
    """Decode a KEK from its text form (surrounding whitespace and padding are ignored)."""
    cleaned = text.strip()
    try:
        raw = base64.urlsafe_b64decode(cleaned + "=" * (-len(cleaned) % 4))
    except (binascii.Error, ValueError) as exc:
        raise EncryptionKeyError("the encryption key is not base64url text") from exc
    if len(raw) != KEY_BYTES:
        raise EncryptionKeyError(
            f"the encryption key must be {KEY_BYTES} bytes (base64url), not {len(raw)}"
        )
    return raw


def key_id(key: bytes) -> str:
    """A short public name for a KEK (a truncated hash: it reveals nothing usable)."""
    digest = hashlib.sha256(b"gatehouse key-encryption key id\x00" + key).digest()
    return base64.urlsafe_b64encode(digest[:6]).decode()


@dataclass(frozen=True)
class SecretBox:
    """AES-256-GCM envelope with the deployment's key-encryption key.

    ``key`` is None in plaintext mode (PostgreSQL without a configured key). ``previous``
    holds older keys that may still decrypt (``gatehouse keys rewrap``), never encrypt.
    """

    key: bytes | None
    previous: tuple[bytes, ...] = ()
    source: str = "none"
    _by_id: dict[str, AESGCM] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        keys = ([self.key] if self.key is not None else []) + list(self.previous)
        object.__setattr__(self, "_by_id", {key_id(k): AESGCM(k) for k in keys})

    @property
    def enabled(self) -> bool:
        return self.key is not None

    @property
    def key_id(self) -> str | None:
        return None if self.key is None else key_id(self.key)

    def encrypt(self, plaintext: str, *, purpose: str) -> str:
        """Encrypt under the current key, ``purpose`` bound as associated data."""
        if self.key is None:
            return PLAIN_PREFIX + plaintext
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = self._by_id[key_id(self.key)].encrypt(nonce, plaintext.encode(), purpose.encode())
        token = base64.urlsafe_b64encode(nonce + sealed).rstrip(b"=").decode()
        return f"{ENCRYPTED_PREFIX}{key_id(self.key)}:{token}"

    def decrypt(self, stored: str, *, purpose: str) -> str:
        """The plaintext of a stored value (``plain:`` values too, until they are sealed)."""
        if stored.startswith(PLAIN_PREFIX):
            return stored[len(PLAIN_PREFIX) :]
        if not stored.startswith(ENCRYPTED_PREFIX):
            raise UndecryptableSecretError(f"{purpose}: not a stored secret")
        kid, _, token = stored[len(ENCRYPTED_PREFIX) :].partition(":")
        aead = self._by_id.get(kid)
        if aead is None:
            raise EncryptionKeyError(
                f"{purpose} was encrypted with key {kid}, but the configured key is "
                f"{self.key_id or 'absent'}: set GATEHOUSE_ENCRYPTION_KEY (or _FILE) to that "
                "key, or run `gatehouse keys rewrap` with it as the old key"
            )
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        try:
            plain = aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], purpose.encode())
        except InvalidTag as exc:
            raise UndecryptableSecretError(f"{purpose}: authentication failed") from exc
        return plain.decode()

    def is_current(self, stored: str) -> bool:
        """Whether a stored value is already under the current key (nothing to rewrap)."""
        if self.key is None:
            return stored.startswith(PLAIN_PREFIX)
        return stored.startswith(f"{ENCRYPTED_PREFIX}{key_id(self.key)}:")

    @staticmethod
    def stored_key_id(stored: str) -> str | None:
        if not stored.startswith(ENCRYPTED_PREFIX):
            return None
        return stored[len(ENCRYPTED_PREFIX) :].partition(":")[0]

    @classmethod
    def configure(
        cls,
        *,
        key: str | None,
        key_file: str | None,
        database_url: str,
        previous: tuple[str, ...] = (),
    ) -> SecretBox:
        """The box a deployment's settings describe (module docstring for the order)."""
        old = tuple(parse_key(k) for k in previous)
        if key:
            return cls(parse_key(key), old, source="GATEHOUSE_ENCRYPTION_KEY")
        if key_file:
            return cls(_read_key_file(Path(key_file)), old, source=key_file)
        default = default_key_file(database_url)
        if default is not None:
            return cls(_read_or_create_key_file(default), old, source=str(default))
        return cls(None, old, source="none")

    @classmethod
    def from_environment(cls, database_url: str) -> SecretBox:
        """The box for code paths that have only a database URL (CLI commands, migrations)."""
        from gatehouse.settings import Settings

        return cls.from_settings(Settings(), database_url)

    @classmethod
    def from_settings(
        cls, settings: Settings, database_url: str, *, old_keys: tuple[str, ...] = ()
    ) -> SecretBox:
        previous = (settings.old_encryption_key,) if settings.old_encryption_key else ()
        return cls.configure(
            key=settings.encryption_key,
            key_file=settings.encryption_key_file,
            database_url=database_url,
            previous=previous + old_keys,
        )


def default_key_file(database_url: str) -> Path | None:
    """``<database file>.key`` for a file-based SQLite URL; None for PostgreSQL/in-memory."""
    if not database_url.startswith("sqlite"):
        return None
    path = database_url.split(":///", 1)[-1].split("?", 1)[0]
    if not path or path == ":memory:" or "://" in path:
        return None
    return Path(path + ".key")


def _read_key_file(path: Path) -> bytes:
    try:
        return parse_key(path.read_text())
    except OSError as exc:
        raise EncryptionKeyError(f"cannot read the encryption key file {path}: {exc}") from exc


def _read_or_create_key_file(path: Path) -> bytes:
    """Read the embedded default's key file, creating it (mode 0600) when it does not exist.

    The key is written to a private temporary file first and then hard-linked into place,
    which fails if the file exists: two processes starting at once agree on one key, and
    nobody ever reads a half-written file.
    """
    if path.exists():
        return _read_key_file(path)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(generate_key() + "\n")
    try:
        os.link(temporary, path)
    except FileExistsError:
        return _read_key_file(path)
    finally:
        temporary.unlink()
    log.warning(
        "created the encryption key file %s (mode 0600): back it up apart from the "
        "database; without it the signing keys and client secrets cannot be read",
        path,
    )
    return _read_key_file(path)
