"""``ConnectClientSecret`` at rest: sealed by the deployment's ``SecretBox``
(``gatehouse.crypto_at_rest``, decisions.md "Secrets and keys at rest"), bound to its config.
``storage.sealing`` lists the column, so startup sealing and ``gatehouse keys rewrap`` cover
it."""

from __future__ import annotations

from typing import Protocol

from gatehouse.storage.sealing import connect_client_secret_purpose


class SecretSealer(Protocol):
    """``SecretBox``'s two methods the configs use (tests may pass another)."""

    def encrypt(self, plaintext: str, *, purpose: str) -> str: ...

    def decrypt(self, stored: str, *, purpose: str) -> str: ...


def secret_purpose(marketplace_id: str, config_id: str) -> str:
    """A sealed secret copied to another config (or marketplace) does not open."""
    return connect_client_secret_purpose(f"{marketplace_id}:{config_id}")
