"""The SQL side of the token endpoint: a few indexed lookups in one read transaction."""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection
from contextlib import asynccontextmanager

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from gatehouse.domain.roles import RoleSet
from gatehouse.domain.users import UserIdentity, UserType
from gatehouse.oauth.store import ClientRecord, LoginRecord
from gatehouse.storage.db import Database
from gatehouse.storage.models import BuyerRow, Marketplace, SupplierRow, UserRow
from gatehouse.storage.queries import api_clients, users


class SqlTokenStoreSession:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def find_client(self, client_id: str) -> ClientRecord | None:
        found = await api_clients.get_any(self._session, client_id=client_id)
        if found is None:
            return None
        marketplace_id, client = found
        active = await self._session.scalar(
            select(Marketplace.active).where(Marketplace.id == marketplace_id)
        )
        return ClientRecord(marketplace_id, bool(active), client)

    async def assigned_companies(self, client_id: str) -> tuple[Collection[str], Collection[str]]:
        return await api_clients.assigned_companies(self._session, client_id=client_id)

    async def find_login(self, marketplace_id: str, username: str) -> LoginRecord | None:
        stmt = (
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
            .where(
                UserRow.marketplace_id == marketplace_id,
                UserRow.username_key == users.username_key(username),
            )
        )
        found = (await self._session.execute(stmt)).first()
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
        )
        return LoginRecord(identity, row.password_hash)

    async def available_roles(self, marketplace_id: str, internal_user_id: int) -> RoleSet:
        row = await self._session.get(UserRow, internal_user_id)
        if row is None or row.marketplace_id != marketplace_id:
            return RoleSet()
        roles = await users.roles_for_rows(self._session, marketplace_id=marketplace_id, rows=[row])
        return roles.get(row.id, RoleSet())


class SqlTokenStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    @asynccontextmanager
    async def session(self) -> AsyncIterator[SqlTokenStoreSession]:
        async with self._db.read() as session:
            yield SqlTokenStoreSession(session)
