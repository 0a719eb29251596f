"""What the grants need from storage, as a Protocol (Authlib's ``query_client`` /
``authenticate_user`` holes, typed). ``gatehouse.storage.queries.token_store`` satisfies it
structurally (storage never imports oauth); the records it returns live in
``domain.grant_records``."""

from __future__ import annotations

from collections.abc import Collection
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import Protocol

from gatehouse.domain.grant_records import ClientRecord, LoginRecord, RefreshTokenRecord
from gatehouse.domain.lockout import LockoutPolicy, LockState
from gatehouse.domain.roles import RoleSet
from gatehouse.domain.users import UserIdentity

__all__ = ["ClientRecord", "LoginRecord", "RefreshTokenRecord", "TokenStore", "TokenStoreSession"]


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
        self,
        internal_user_id: int,
        policy: LockoutPolicy,
        now: datetime,
        *,
        client_id: str | None,
    ) -> LockState | None:
        """Count one wrong password atomically (concurrent calls never pass the policy's
        limit) and lock the user on reaching it; ``None`` if the user is gone. ``client_id``
        (the client the failing request named) goes into the ``user.locked_out`` event."""
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
