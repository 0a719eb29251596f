"""Loads the state token verification checks (``domain.token_standing``): one small indexed
query per subject, run only when the process cache misses."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from gatehouse.domain.token_standing import ClientState, CompanyKey, UserState
from gatehouse.domain.users import UserType
from gatehouse.storage.models import ApiClientRow, BuyerRow, Marketplace, SupplierRow, UserRow
from gatehouse.storage.queries.users import username_key


async def client_state(session: AsyncSession, client_id: str) -> ClientState | None:
    found = (
        await session.execute(
            select(
                ApiClientRow.id,
                ApiClientRow.marketplace_id,
                ApiClientRow.active,
                Marketplace.active,
                ApiClientRow.tokens_valid_from,
                ApiClientRow.allowed_origins,
            )
            .join(Marketplace, Marketplace.id == ApiClientRow.marketplace_id)
            .where(ApiClientRow.id == client_id)
        )
    ).first()
    if found is None:
        return None
    return ClientState(
        client_id=found[0],
        marketplace_id=found[1],
        active=found[2],
        marketplace_active=found[3],
        tokens_valid_from=found[4],
        allowed_origins=tuple(found[5] or ()),
    )


def _user_state(row: UserRow) -> UserState:
    return UserState(
        internal_id=row.id,
        marketplace_id=row.marketplace_id,
        username=row.username,
        user_type=UserType(row.user_type),
        company_id=row.company_id or None,
        active=row.active,
        tokens_valid_from=row.tokens_valid_from,
    )


async def user_state(
    session: AsyncSession, marketplace_id: str, internal_id: int
) -> UserState | None:
    row = await session.scalar(
        select(UserRow).where(UserRow.marketplace_id == marketplace_id, UserRow.id == internal_id)
    )
    return None if row is None else _user_state(row)


async def user_state_by_username(
    session: AsyncSession, marketplace_id: str, username: str
) -> UserState | None:
    """For anonymous tokens, which name their template user only by ``usr``."""
    row = await session.scalar(
        select(UserRow).where(
            UserRow.marketplace_id == marketplace_id,
            UserRow.username_key == username_key(username),
        )
    )
    return None if row is None else _user_state(row)


async def company_active(session: AsyncSession, key: CompanyKey) -> bool | None:
    """Whether the company is active; ``None`` when it no longer exists."""
    table = BuyerRow if key.user_type is UserType.BUYER else SupplierRow
    found: bool | None = await session.scalar(
        select(table.active).where(
            table.marketplace_id == key.marketplace_id, table.id == key.company_id
        )
    )
    return found
