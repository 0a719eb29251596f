"""The seam to the deployment's secret box (``gatehouse.crypto_at_rest.SecretBox``, built on
the ``harddata`` branch): ``encrypt(plaintext, *, purpose)`` / ``decrypt(stored, *, purpose)``
under the key-encryption key that lives outside the database.

Until that box is wired into ``Runtime`` as ``runtime.secret_box`` this module falls back to
``PlainSealer``, which writes the box's own *plaintext-mode* format (``plain:<value>``), so the
box reads and re-seals those rows once it is merged.
"""

from __future__ import annotations

from typing import Protocol

PLAIN_PREFIX = "plain:"


class SecretSealer(Protocol):
    def encrypt(self, plaintext: str, *, purpose: str) -> str: ...

    def decrypt(self, stored: str, *, purpose: str) -> str: ...


class PlainSealer:
    """Stand-in used only while no SecretBox is configured (see the module docstring)."""

    def encrypt(self, plaintext: str, *, purpose: str) -> str:
        return PLAIN_PREFIX + plaintext

    def decrypt(self, stored: str, *, purpose: str) -> str:
        return stored.removeprefix(PLAIN_PREFIX)


def sealer_of(runtime: object) -> SecretSealer:
    box = getattr(runtime, "secret_box", None)
    return box if box is not None else PlainSealer()


def secret_purpose(marketplace_id: str, config_id: str) -> str:
    """Bound as associated data: a sealed secret copied to another config does not open."""
    return f"openid_connects.connect_client_secret:{marketplace_id}:{config_id}"
