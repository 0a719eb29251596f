"""The records the token endpoint reads from storage: a client with its secrets, a user with
its lockout state, a stored refresh token. They sit in domain/ because both sides use them:
``oauth.store``'s ``TokenStore`` protocol returns them and ``storage.queries.token_store``
builds them, and storage must not import oauth (the layer contracts in pyproject.toml)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from gatehouse.domain.api_client_secrets import NamedSecretHash
from gatehouse.domain.api_clients import ApiClient
from gatehouse.domain.lockout import LockState
from gatehouse.domain.passwords import PasswordConfig
from gatehouse.domain.users import UserIdentity


@dataclass(frozen=True, slots=True)
class ClientRecord:
    """A client found by ``client_id``, with its marketplace's state and the hashes of its
    named secrets (spec §1.2), so authenticating it needs no further query."""

    marketplace_id: str
    marketplace_active: bool
    client: ApiClient
    named_secrets: tuple[NamedSecretHash, ...] = ()
    allowed_origins: tuple[str, ...] = ()
    """Browser origins the client serves (Gatehouse's own); empty: any the deployment allows."""

    @property
    def has_secret(self) -> bool:
        """A legacy ``ClientSecret`` or any named secret, expired ones included: a client
        whose named secrets have all expired must not silently become secret-less."""
        return self.client.has_legacy_secret or bool(self.named_secrets)


@dataclass(frozen=True, slots=True)
class LoginRecord:
    """A user found by username, with what the checks after the password need: the lockout
    columns, the password's age and the effective PasswordConfig of the user's profiles."""

    identity: UserIdentity
    password_hash: str | None
    lock: LockState
    password_last_set: datetime | None
    password_config: PasswordConfig


@dataclass(frozen=True, slots=True)
class RefreshTokenRecord:
    """A stored refresh token: whose, for which client, which roles the grant gave, and its
    lifetime (spec §3.8, decisions.md). Only the token's SHA-256 is ever stored."""

    marketplace_id: str
    client_id: str
    user_internal_id: int
    roles: frozenset[str]
    issued_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None
