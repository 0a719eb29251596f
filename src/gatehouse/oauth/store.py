"""What the grants need from storage, as a Protocol (Authlib's ``query_client`` /
``authenticate_user`` holes, typed). ``gatehouse.storage.queries.token_store`` implements it."""

from __future__ import annotations

from collections.abc import Collection
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from gatehouse.domain.api_clients import ApiClient
from gatehouse.domain.lockout import LockoutPolicy, LockState
from gatehouse.domain.passwords import PasswordConfig
from gatehouse.domain.roles import RoleSet
from gatehouse.domain.users import UserIdentity


@dataclass(frozen=True, slots=True)
class ClientRecord:
    marketplace_id: str
    marketplace_active: bool
    client: ApiClient


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

    async def reset_failed_logins(self, internal_user_id: int, now: datetime) -> bool:
        """After a right password: clear the count and any expired lock, atomically with the
        check that the user is not locked. False (and nothing changed) when locked."""
        ...
