"""The SQL side of the token endpoint: a few indexed lookups in one read transaction, and the
two short write transactions of the lockout counter."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Collection
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import ColumnElement, Select, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from gatehouse.domain.audit import USER_LOCKED_OUT, Actor, AuditEvent, AuditUser
from gatehouse.domain.grant_records import ClientRecord, LoginRecord, RefreshTokenRecord
from gatehouse.domain.lockout import LockoutPolicy, LockState, after_failure, is_locked
from gatehouse.domain.passwords import effective_config
from gatehouse.domain.roles import RoleSet
from gatehouse.domain.users import UserIdentity, UserType
from gatehouse.storage.audit import record
from gatehouse.storage.db import Database
from gatehouse.storage.models import (
    BuyerRow,
    Marketplace,
    RefreshTokenRow,
    SupplierRow,
    UserRow,
)
from gatehouse.storage.queries import (
    api_client_origins,
    api_client_secrets,
    api_clients,
    login_failures,
    users,
)

_UserSelect = Select[UserRow, bool, bool]
"""A user row with its buyer's and its supplier's active flags (``_USER_WITH_COMPANY``)."""


class ClientLookupCache(Protocol):
    """A process cache of client records (``oauth.client_records``)."""

    async def find(
        self, client_id: str, load: Callable[[str], Awaitable[ClientRecord | None]]
    ) -> ClientRecord | None: ...


class SubjectLookupCache(Protocol):
    """A process cache of users and their roles (``oauth.grant_subjects``)."""

    async def roles(
        self, key: tuple[str, int], load: Callable[[tuple[str, int]], Awaitable[RoleSet | None]]
    ) -> RoleSet | None: ...

    async def identity(
        self,
        key: tuple[str, str],
        load: Callable[[tuple[str, str]], Awaitable[UserIdentity | None]],
    ) -> UserIdentity | None: ...


class RefreshTokenLookupCache(Protocol):
    """A process cache of stored refresh tokens by SHA-256 (``oauth.refresh_records``)."""

    async def find(
        self, token_sha256: str, load: Callable[[str], Awaitable[RefreshTokenRecord | None]]
    ) -> RefreshTokenRecord | None: ...


class LoginLookupCache(Protocol):
    """A process cache of login records by (marketplace ID, username key)
    (``oauth.login_records``)."""

    async def find(
        self,
        key: tuple[str, str],
        load: Callable[[tuple[str, str]], Awaitable[LoginRecord | None]],
    ) -> LoginRecord | None: ...


class SqlTokenStoreSession:
    def __init__(
        self,
        session: AsyncSession | Callable[[], Awaitable[AsyncSession]],
        clients: ClientLookupCache | None = None,
        subjects: SubjectLookupCache | None = None,
        refresh_tokens: RefreshTokenLookupCache | None = None,
        logins: LoginLookupCache | None = None,
    ) -> None:
        """``session``: the read session, or how to open it on first use, so a request that
        the caches answer entirely (a warm client_credentials or refresh grant) opens none."""
        self._opened = session if isinstance(session, AsyncSession) else None
        self._opener = session if not isinstance(session, AsyncSession) else None
        self._clients = clients
        self._subjects = subjects
        self._refresh_tokens = refresh_tokens
        self._logins = logins
        # The session's identity map holds rows weakly; keeping the users this session looked
        # up lets ``available_roles`` reuse them instead of selecting the same row again.
        self._users: dict[int, UserRow] = {}

    async def _session(self) -> AsyncSession:
        if self._opened is None:
            assert self._opener is not None
            self._opened = await self._opener()
        return self._opened

    async def find_client(self, client_id: str) -> ClientRecord | None:
        if self._clients is not None:
            return await self._clients.find(client_id, self._load_client)
        return await self._load_client(client_id)

    async def _load_client(self, client_id: str) -> ClientRecord | None:
        found = await api_clients.get_any(await self._session(), client_id=client_id)
        if found is None:
            return None
        marketplace_id, client = found
        active = await (await self._session()).scalar(
            select(Marketplace.active).where(Marketplace.id == marketplace_id)
        )
        named = await api_client_secrets.hashes(await self._session(), client_id=client.id)
        origins = await api_client_origins.allowed(await self._session(), client_id=client.id)
        return ClientRecord(marketplace_id, bool(active), client, named, origins)

    async def assigned_companies(self, client_id: str) -> tuple[Collection[str], Collection[str]]:
        return await api_clients.assigned_companies(await self._session(), client_id=client_id)

    async def find_login(self, marketplace_id: str, username: str) -> LoginRecord | None:
        key = (marketplace_id, users.username_key(username))
        if self._logins is not None:
            return await self._logins.find(key, self._load_login)
        return await self._load_login(key)

    async def _load_login(self, key: tuple[str, str]) -> LoginRecord | None:
        marketplace_id, username_key = key
        params = {"marketplace_id": marketplace_id, "username_key": username_key}
        found = await self._find_user(_LOGIN, params)
        if found is None:
            # The second query a real user costs, answered for nobody: the lookup takes as
            # long whether or not the username exists (issue 10; ``login_failures``).
            await users.password_configs(
                await self._session(),
                marketplace_id=marketplace_id,
                user_type=UserType.ADMIN,
                company_id="",
            )
            return None
        row, identity = found
        configs = await users.password_configs(
            await self._session(),
            marketplace_id=marketplace_id,
            user_type=identity.user_type,
            company_id=row.company_id,
            row=row,
        )
        return LoginRecord(
            identity,
            row.password_hash,
            LockState(row.failed_login_attempts, row.locked_until),
            row.password_last_set,
            effective_config(configs),
        )

    async def available_roles(self, marketplace_id: str, internal_user_id: int) -> RoleSet:
        if self._subjects is not None:
            found = await self._subjects.roles(
                (marketplace_id, internal_user_id), lambda key: self._load_roles(*key)
            )
            return found or RoleSet()
        return await self._load_roles(marketplace_id, internal_user_id)

    async def _load_roles(self, marketplace_id: str, internal_user_id: int) -> RoleSet:
        row = self._users.get(internal_user_id) or await (await self._session()).get(
            UserRow, internal_user_id
        )
        if row is None or row.marketplace_id != marketplace_id:
            return RoleSet()
        roles = await users.roles_for_rows(
            await self._session(), marketplace_id=marketplace_id, rows=[row]
        )
        return roles.get(row.id, RoleSet())

    async def find_user_by_username(
        self, marketplace_id: str, username: str
    ) -> UserIdentity | None:
        key = users.username_key(username)
        return await self._identity(
            (marketplace_id, f"name:{key}"), lambda: UserRow.username_key == key
        )

    async def find_user_by_id(
        self, marketplace_id: str, internal_user_id: int
    ) -> UserIdentity | None:
        return await self._identity(
            (marketplace_id, f"id:{internal_user_id}"), lambda: UserRow.id == internal_user_id
        )

    async def _identity(
        self, key: tuple[str, str], condition: Callable[[], ColumnElement[bool]]
    ) -> UserIdentity | None:
        """``condition`` is built only on a cache miss: building the SQL expression cost a
        warm client_credentials grant about 4 % of its CPU (issue 12)."""
        if self._subjects is None:
            return await self._find_identity(key[0], condition())
        return await self._subjects.identity(
            key, lambda found: self._find_identity(found[0], condition())
        )

    async def _find_identity(
        self, marketplace_id: str, condition: ColumnElement[bool]
    ) -> UserIdentity | None:
        found = await self._find_user(
            _USER_WITH_COMPANY.where(UserRow.marketplace_id == marketplace_id, condition)
        )
        return None if found is None else found[1]

    async def _find_user(
        self, stmt: _UserSelect, params: dict[str, Any] | None = None
    ) -> tuple[UserRow, UserIdentity] | None:
        found = await _find_user(await self._session(), stmt, params)
        if found is not None:
            self._users[found[0].id] = found[0]
        return found

    async def find_refresh_token(self, token_sha256: str) -> RefreshTokenRecord | None:
        """From the process cache when there is one: every UPDATE or DELETE of the table
        empties it in every process before their next request (``CHANGES_WATCHED`` in
        ``storage.invalidation``), so a revocation still counts at once."""
        if self._refresh_tokens is not None:
            return await self._refresh_tokens.find(token_sha256, self._load_refresh_token)
        return await self._load_refresh_token(token_sha256)

    async def _load_refresh_token(self, token_sha256: str) -> RefreshTokenRecord | None:
        """One indexed Core select: plain column tuples, no ORM instance or identity-map
        work on the hot path."""
        session = await self._session()
        result = await session.execute(_REFRESH_BY_SHA256, {"sha256": token_sha256})
        row = result.one_or_none()
        if row is None:
            return None
        marketplace_id, client_id, user_internal_id, roles, issued_at, expires_at, revoked_at = row
        return RefreshTokenRecord(
            marketplace_id=marketplace_id,
            client_id=client_id,
            user_internal_id=user_internal_id,
            roles=frozenset(roles or ()),
            issued_at=issued_at,
            expires_at=expires_at,
            revoked_at=revoked_at,
        )


_REFRESH_BY_SHA256 = select(
    RefreshTokenRow.marketplace_id,
    RefreshTokenRow.api_client_id,
    RefreshTokenRow.user_internal_id,
    RefreshTokenRow.roles,
    RefreshTokenRow.created_at,
    RefreshTokenRow.expires_at,
    RefreshTokenRow.revoked_at,
).where(RefreshTokenRow.token_sha256 == bindparam("sha256"))


class SqlTokenStore:
    def __init__(
        self,
        db: Database,
        clients: ClientLookupCache | None = None,
        subjects: SubjectLookupCache | None = None,
        refresh_tokens: RefreshTokenLookupCache | None = None,
        logins: LoginLookupCache | None = None,
    ) -> None:
        self._db = db
        self._clients = clients
        self._subjects = subjects
        self._refresh_tokens = refresh_tokens
        self._logins = logins

    @asynccontextmanager
    async def session(self) -> AsyncIterator[SqlTokenStoreSession]:
        async with AsyncExitStack() as opened:

            async def open_read() -> AsyncSession:
                return await opened.enter_async_context(self._db.read())

            yield SqlTokenStoreSession(
                open_read, self._clients, self._subjects, self._refresh_tokens, self._logins
            )

    async def record_failed_login(
        self,
        internal_user_id: int,
        policy: LockoutPolicy,
        now: datetime,
        *,
        client_id: str | None,
    ) -> LockState | None:
        """Read-modify-write under a row lock: ``FOR UPDATE`` on PostgreSQL, and on SQLite the
        write transaction itself (``BEGIN IMMEDIATE`` admits one writer at a time). Two short
        statements; no hashing happens inside. The row is written even when nothing changes
        (a locked user), so every wrong password costs the same (``login_failures``)."""
        async with self._db.write() as session:
            current = await login_failures.lock_state(session, UserRow, internal_user_id)
            if current is None:
                return None
            state = after_failure(current, policy, now)
            await login_failures.save_lock_state(session, UserRow, internal_user_id, state)
            if is_locked(now, state.locked_until) and not is_locked(now, current.locked_until):
                await _record_lockout(session, internal_user_id, state, now, client_id)
            return state

    async def record_unknown_failure(
        self, marketplace_id: str, username: str, now: datetime
    ) -> None:
        async with self._db.write() as session:
            await login_failures.count_decoy_failure(session, marketplace_id, username, now)

    async def reset_failed_logins(self, internal_user_id: int, now: datetime) -> bool:
        async with self._db.write() as session:
            current = await login_failures.lock_state(session, UserRow, internal_user_id)
            if current is None:
                return True  # deleted meanwhile: nothing to reset
            if is_locked(now, current.locked_until):
                return False
            if not current.is_clean:
                await login_failures.save_lock_state(
                    session, UserRow, internal_user_id, LockState()
                )
            return True

    async def save_refresh_token(self, token_sha256: str, record: RefreshTokenRecord) -> None:
        """One INSERT in its own short transaction, after every check has passed."""
        async with self._db.write() as session:
            session.add(
                RefreshTokenRow(
                    token_sha256=token_sha256,
                    marketplace_id=record.marketplace_id,
                    api_client_id=record.client_id,
                    user_internal_id=record.user_internal_id,
                    roles=sorted(record.roles),
                    created_at=record.issued_at,
                    expires_at=record.expires_at,
                    revoked_at=record.revoked_at,
                )
            )


async def _find_user(
    session: AsyncSession, stmt: _UserSelect, params: dict[str, Any] | None
) -> tuple[UserRow, UserIdentity] | None:
    """One user of a marketplace and whether its company is active: ``_USER_WITH_COMPANY``
    narrowed to one user (``_LOGIN``, prebuilt, on the login path)."""
    found = (await session.execute(stmt, params)).first()
    if found is None:
        return None
    row, buyer_active, supplier_active = found
    identity = UserIdentity(
        internal_id=row.id,
        username=row.username,
        user_type=UserType(row.user_type),
        company_id=row.company_id or None,
        active=row.active,
        company_active=bool(buyer_active or supplier_active),
        tokens_valid_from=row.tokens_valid_from,
    )
    return row, identity


# A user with its company's active flag; built once: constructing the joins cost more of a
# password grant's event-loop time than the query itself (issue 12, bench/login_cpu.py).
_USER_WITH_COMPANY = (
    select(UserRow, BuyerRow.active, SupplierRow.active)
    .outerjoin(
        BuyerRow,
        (UserRow.user_type == UserType.BUYER.value)
        & (BuyerRow.marketplace_id == UserRow.marketplace_id)
        & (BuyerRow.id == UserRow.company_id),
    )
    .outerjoin(
        SupplierRow,
        (UserRow.user_type == UserType.SUPPLIER.value)
        & (SupplierRow.marketplace_id == UserRow.marketplace_id)
        & (SupplierRow.id == UserRow.company_id),
    )
)
_LOGIN = _USER_WITH_COMPANY.where(
    UserRow.marketplace_id == bindparam("marketplace_id"),
    UserRow.username_key == bindparam("username_key"),
)


async def _record_lockout(
    session: AsyncSession,
    internal_user_id: int,
    state: LockState,
    now: datetime,
    client_id: str | None,
) -> None:
    """``user.locked_out``, in the transaction that locks the user; the client is the one
    the failing token request named (passed in: storage does not read oauth's context)."""
    row = await session.get(UserRow, internal_user_id)
    if row is None:
        return
    until = None if state.locked_until is None else state.locked_until.isoformat()
    event = AuditEvent(
        USER_LOCKED_OUT,
        row.marketplace_id,
        Actor("system", client_id=client_id),
        client_id=client_id,
        user=AuditUser(row.id, row.username, row.user_type),
        details={"FailedAttempts": state.failed_attempts, "LockedUntil": until},
    )
    await record(session, event, now)
