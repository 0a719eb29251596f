"""What the grants need from storage, as a Protocol (Authlib's ``query_client`` /
``authenticate_user`` holes, typed). ``gatehouse.storage.queries.token_store`` implements it."""

from __future__ import annotations

from collections.abc import Collection
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Protocol

from gatehouse.domain.api_clients import ApiClient
from gatehouse.domain.roles import RoleSet
from gatehouse.domain.users import UserIdentity


@dataclass(frozen=True, slots=True)
class ClientRecord:
    marketplace_id: str
    marketplace_active: bool
    client: ApiClient


@dataclass(frozen=True, slots=True)
class LoginRecord:
    identity: UserIdentity
    password_hash: str | None


class TokenStoreSession(Protocol):
    async def find_client(self, client_id: str) -> ClientRecord | None: ...

    async def assigned_companies(
        self, client_id: str
    ) -> tuple[Collection[str], Collection[str]]: ...

    async def find_login(self, marketplace_id: str, username: str) -> LoginRecord | None: ...

    async def available_roles(self, marketplace_id: str, internal_user_id: int) -> RoleSet: ...


class TokenStore(Protocol):
    def session(self) -> AbstractAsyncContextManager[TokenStoreSession]: ...
