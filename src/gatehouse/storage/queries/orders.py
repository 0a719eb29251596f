"""Order rows, the consumed anonymous tokens, and the purge of what has expired.

An order is read together with its ``FromUser`` (an outer join: the user may be gone). Who may
see which orders is decided by the service as a ``Visibility``; this module only turns it into
SQL, so every list, get, patch and delete applies the same rule in the database.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, false, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from gatehouse.domain.listing import ListQuery
from gatehouse.domain.orders import Order as Order  # re-exported: services import it from here
from gatehouse.storage.listing import ColumnMap, fetch_page
from gatehouse.storage.models import ConsumedAnonTokenRow, OrderRow, RefreshTokenRow, UserRow
from gatehouse.storage.queries.users import to_domain as user_to_domain

COLUMNS = ColumnMap(
    columns={
        "ID": OrderRow.id,
        "FromUserID": UserRow.external_id,
        "FromCompanyID": OrderRow.from_company_id,
        "ToCompanyID": OrderRow.to_company_id,
        "Comments": OrderRow.comments,
        "Status": OrderRow.status,
        "DateCreated": OrderRow.created_at,
        "LastUpdated": OrderRow.last_updated,
    },
    xp=OrderRow.xp,
)


def _to_domain(row: OrderRow, user: UserRow | None) -> Order:
    return Order(
        id=row.id,
        from_company_id=row.from_company_id,
        to_company_id=row.to_company_id,
        status=row.status,
        created_at=row.created_at,
        last_updated=row.last_updated,
        comments=row.comments,
        xp=row.xp,
        from_user=None if user is None else user_to_domain(user),
        anonymous=row.anonymous,
    )


@dataclass(frozen=True, slots=True)
class Visibility:
    """Which orders of a marketplace a caller reaches; every set field narrows (AND), and
    ``nothing`` reaches none. ``anonymous_key`` matches only still-anonymous orders created
    under that ``orderid``; ``from_user`` matches only orders that are not anonymous."""

    marketplace_id: str
    nothing: bool = False
    to_company_id: str | None = None
    from_company_id: str | None = None
    from_user: int | None = None
    anonymous_key: str | None = None


def _where(visible: Visibility | tuple[Visibility, ...]) -> ColumnElement[bool]:
    if isinstance(visible, tuple):
        return or_(false(), *(_where(v) for v in visible))
    if visible.nothing:
        return false()
    clauses: list[ColumnElement[bool]] = [OrderRow.marketplace_id == visible.marketplace_id]
    if visible.to_company_id is not None:
        clauses.append(OrderRow.to_company_id == visible.to_company_id)
    if visible.from_company_id is not None:
        clauses.append(OrderRow.from_company_id == visible.from_company_id)
    if visible.from_user is not None:
        clauses += [
            OrderRow.from_user_internal_id == visible.from_user,
            OrderRow.anonymous.is_(False),
        ]
    if visible.anonymous_key is not None:
        clauses += [
            OrderRow.anonymous_order_key == visible.anonymous_key,
            OrderRow.anonymous.is_(True),
        ]
    return and_(*clauses)


def _select() -> Any:
    return select(OrderRow, UserRow).outerjoin(
        UserRow, UserRow.id == OrderRow.from_user_internal_id
    )


async def list_page(
    session: AsyncSession,
    *,
    visible: Visibility | tuple[Visibility, ...],
    query: ListQuery,
    created_from: datetime | None = None,
    created_to: datetime | None = None,
) -> tuple[list[Order], int]:
    """A page of the orders the caller reaches, optionally created within [from, to]."""
    stmt = _select().where(_where(visible))
    if created_from is not None:
        stmt = stmt.where(OrderRow.created_at >= created_from)
    if created_to is not None:
        stmt = stmt.where(OrderRow.created_at <= created_to)
    rows, total = await fetch_page(session, stmt, query, COLUMNS)
    return [_to_domain(row[0], row[1]) for row in rows], total


async def find(session: AsyncSession, *, visible: Visibility, order_id: str) -> Order | None:
    """The order ``order_id`` if the caller reaches it. Anonymous callers are matched on their
    ``orderid`` (the key), not on the current ID, so an admin's rename never locks them out."""
    id_match = (
        OrderRow.anonymous_order_key == order_id
        if visible.anonymous_key is not None
        else OrderRow.id == order_id
    )
    found = (await session.execute(_select().where(_where(visible), id_match))).first()
    return None if found is None else _to_domain(found[0], found[1])


async def exists(session: AsyncSession, *, marketplace_id: str, order_id: str) -> bool:
    found = await session.scalar(
        select(OrderRow.id).where(
            OrderRow.marketplace_id == marketplace_id, OrderRow.id == order_id
        )
    )
    return found is not None


async def key_taken(session: AsyncSession, *, marketplace_id: str, key: str) -> bool:
    found = await session.scalar(
        select(OrderRow.id).where(
            OrderRow.marketplace_id == marketplace_id, OrderRow.anonymous_order_key == key
        )
    )
    return found is not None


async def find_anonymous(
    session: AsyncSession, *, marketplace_id: str, key: str
) -> OrderRow | None:
    """The still-anonymous order created under ``key`` (an ``orderid``), for moving it."""
    return await session.scalar(
        select(OrderRow).where(
            OrderRow.marketplace_id == marketplace_id,
            OrderRow.anonymous_order_key == key,
            OrderRow.anonymous.is_(True),
        )
    )


async def get(session: AsyncSession, *, marketplace_id: str, order_id: str) -> Order | None:
    found = (
        await session.execute(
            _select().where(OrderRow.marketplace_id == marketplace_id, OrderRow.id == order_id)
        )
    ).first()
    return None if found is None else _to_domain(found[0], found[1])


async def insert(
    session: AsyncSession,
    *,
    marketplace_id: str,
    order: Order,
    from_user_internal_id: int,
    anonymous_key: str | None,
    anonymous_expires_at: datetime | None,
) -> None:
    session.add(
        OrderRow(
            marketplace_id=marketplace_id,
            id=order.id,
            from_company_id=order.from_company_id,
            to_company_id=order.to_company_id,
            from_user_internal_id=from_user_internal_id,
            comments=order.comments,
            status=order.status,
            xp=order.xp,
            anonymous=anonymous_key is not None,
            anonymous_order_key=anonymous_key,
            anonymous_expires_at=anonymous_expires_at,
            created_at=order.created_at,
            last_updated=order.last_updated,
        )
    )
    await session.flush()


async def save(
    session: AsyncSession, *, marketplace_id: str, current_id: str, order: Order
) -> None:
    """Write the writable fields (the ID included) and ``LastUpdated``."""
    await session.execute(
        update(OrderRow)
        .where(OrderRow.marketplace_id == marketplace_id, OrderRow.id == current_id)
        .values(id=order.id, comments=order.comments, xp=order.xp, last_updated=order.last_updated)
    )


async def move_to_user(
    session: AsyncSession,
    *,
    row: OrderRow,
    user_internal_id: int,
    company_id: str,
    now: datetime,
) -> None:
    """An anonymous order becomes the user's: no longer anonymous, never purged. The key
    stays, so the spent ``orderid`` can never create another order."""
    row.from_user_internal_id = user_internal_id
    row.from_company_id = company_id
    row.anonymous = False
    row.anonymous_expires_at = None
    row.last_updated = now
    await session.flush()


async def delete_order(session: AsyncSession, *, marketplace_id: str, order_id: str) -> None:
    await session.execute(
        delete(OrderRow).where(OrderRow.marketplace_id == marketplace_id, OrderRow.id == order_id)
    )


async def consume(
    session: AsyncSession, *, marketplace_id: str, key: str, now: datetime, expires_at: datetime
) -> bool:
    """Record an anonymous token as used, in the caller's transaction; call it before any
    other write. False if it already was, also when a concurrent transaction recorded it
    first (the primary key decides); the caller must then abandon the transaction."""
    session.add(
        ConsumedAnonTokenRow(
            marketplace_id=marketplace_id, order_key=key, consumed_at=now, expires_at=expires_at
        )
    )
    try:
        await session.flush()
    except IntegrityError:
        return False
    return True


@dataclass(frozen=True, slots=True)
class PurgeCounts:
    anonymous_orders: int
    consumed_tokens: int
    refresh_tokens: int

    def as_json(self) -> dict[str, int]:
        return {
            "AnonymousOrders": self.anonymous_orders,
            "ConsumedAnonymousTokens": self.consumed_tokens,
            "RefreshTokens": self.refresh_tokens,
        }


async def purge(
    session: AsyncSession, *, now: datetime, on_step: Callable[[str], None] | None = None
) -> PurgeCounts:
    """Delete abandoned anonymous orders (their token has expired, nobody registered or
    claimed them), consumed-token records whose token has expired (it can no longer be
    presented), and refresh tokens that expired or were revoked (they can never work again)."""
    orders = await session.execute(
        delete(OrderRow).where(OrderRow.anonymous.is_(True), OrderRow.anonymous_expires_at <= now)
    )
    step = on_step or (lambda _name: None)
    step("AnonymousOrders")
    consumed = await session.execute(
        delete(ConsumedAnonTokenRow).where(ConsumedAnonTokenRow.expires_at <= now)
    )
    step("ConsumedAnonymousTokens")
    refresh = await session.execute(
        delete(RefreshTokenRow).where(
            or_(RefreshTokenRow.expires_at <= now, RefreshTokenRow.revoked_at.is_not(None))
        )
    )
    step("RefreshTokens")
    return PurgeCounts(
        anonymous_orders=int(orders.rowcount),  # type: ignore[attr-defined]
        consumed_tokens=int(consumed.rowcount),  # type: ignore[attr-defined]
        refresh_tokens=int(refresh.rowcount),  # type: ignore[attr-defined]
    )
