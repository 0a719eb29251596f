"""What the grants need from storage, as a Protocol (Authlib's ``query_client`` /
``authenticate_user`` holes, typed). ``gatehouse.storage.queries.token_store`` implements it."""

from __future__ import annotations

from collections.abc import Collection
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from gatehouse.domain.api_client_secrets import NamedSecretHash
from gatehouse.domain.api_clients import ApiClient
from gatehouse.domain.lockout import LockoutPolicy, LockState
from gatehouse.domain.passwords import PasswordConfig
from gatehouse.domain.roles import RoleSet
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


class TokenStoreSession(Protocol):
    async def find_client(self, client_id: str) -> ClientRecord | None: ...

    async def assigned_companies(
        self, client_id: str
    ) -> tuple[Collection[str], Collection[str]]: ...

    async def find_login(self, marketplace_id: str, username: str) -> LoginRecord | None: ...

    async def available_roles(self, marketplace_id: str, internal_user_id: int) -> RoleSet: ...

    async def find_user_by_username(
        self, marketplace_id: str, username: str
    ) -> UserIdentity | None:
        """A user and its company's state, without password data (the default context user)."""
        ...

    async def find_user_by_id(
        self, marketplace_id: str, internal_user_id: int
    ) -> UserIdentity | None:
        """A user by its internal id (a refresh token's owner), with its company's state."""
        ...

    async def find_refresh_token(self, token_sha256: str) -> RefreshTokenRecord | None:
        """The stored refresh token with this SHA-256, whatever its state."""
        ...


class TokenStore(Protocol):
    def session(self) -> AbstractAsyncContextManager[TokenStoreSession]:
        """A read transaction for the lookups."""
        ...

    async def record_failed_login(
        self, internal_user_id: int, policy: LockoutPolicy, now: datetime
    ) -> LockState | None:
        """Count one wrong password atomically (concurrent calls never pass the policy's
        limit) and lock the user on reaching it; ``None`` if the user is gone."""
        ...

    async def record_unknown_failure(
        self, marketplace_id: str, username: str, now: datetime
    ) -> None:
        """A wrong password for a username that does not exist: the same write as
        ``record_failed_login`` on a stand-in row, so the two take as long (issue 10)."""
        ...

    async def reset_failed_logins(self, internal_user_id: int, now: datetime) -> bool:
        """After a right password: clear the count and any expired lock, atomically with the
        check that the user is not locked. False (and nothing changed) when locked."""
        ...

    async def save_refresh_token(self, token_sha256: str, record: RefreshTokenRecord) -> None:
        """Store a new refresh token (its hash only) in one short write transaction."""
        ...


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
