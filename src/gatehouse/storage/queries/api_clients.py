"""ApiClient rows ↔ the domain ``ApiClient``, and the ApiClientAssignment queries."""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from gatehouse.domain.api_clients import ApiClient
from gatehouse.domain.listing import ListQuery
from gatehouse.storage.db import Database
from gatehouse.storage.listing import ColumnMap, fetch_page
from gatehouse.storage.models import ApiClientAssignmentRow, ApiClientRow
from gatehouse.storage.queries._upsert import insert_ignoring_duplicates
from gatehouse.storage.sealing import client_secret_purpose

_COMPUTED = {"assigned_buyer_count", "assigned_supplier_count"}
_STORED = [f.name for f in fields(ApiClient) if f.name not in _COMPUTED]

_BUYER_COUNT = (
    select(func.count())
    .where(ApiClientAssignmentRow.api_client_id == ApiClientRow.id)
    .where(ApiClientAssignmentRow.buyer_id != "")
    .correlate(ApiClientRow)
    .scalar_subquery()
)
_SUPPLIER_COUNT = (
    select(func.count())
    .where(ApiClientAssignmentRow.api_client_id == ApiClientRow.id)
    .where(ApiClientAssignmentRow.supplier_id != "")
    .correlate(ApiClientRow)
    .scalar_subquery()
)

COLUMNS = ColumnMap(
    columns={
        "ID": ApiClientRow.id,
        "AppName": ApiClientRow.app_name,
        "DefaultContextUserName": ApiClientRow.default_context_username,
        # NOTE: no "ClientSecret": it is encrypted at rest, and a filter on it would be a
        # guessing oracle (issue 10); domain.listing refuses it before it gets here.
        "AccessTokenDuration": ApiClientRow.access_token_duration,
        "RefreshTokenDuration": ApiClientRow.refresh_token_duration,
        "AnonymousTokenDuration": ApiClientRow.anonymous_token_duration,
        "Active": ApiClientRow.active,
        "AllowAnyBuyer": ApiClientRow.allow_any_buyer,
        "AllowAnySupplier": ApiClientRow.allow_any_supplier,
        "AllowSeller": ApiClientRow.allow_seller,
        "IsAnonBuyer": ApiClientRow.is_anon_buyer,
        "OrderCheckoutIntegrationEventID": ApiClientRow.order_checkout_integration_event_id,
        "OrderReturnIntegrationEventID": ApiClientRow.order_return_integration_event_id,
        "AddToCartIntegrationEventID": ApiClientRow.add_to_cart_integration_event_id,
        "AssignedBuyerCount": _BUYER_COUNT,
        "AssignedSupplierCount": _SUPPLIER_COUNT,
    },
    xp=ApiClientRow.xp,
)


def _select() -> Select[Any]:
    return select(ApiClientRow, _BUYER_COUNT, _SUPPLIER_COUNT)


def _select_columns() -> Select[Any]:
    """The stored columns as plain rows: a page builds no ORM objects (issue 12)."""
    stored = [getattr(ApiClientRow, name) for name in _STORED]
    return select(*stored, _BUYER_COUNT.label("buyers"), _SUPPLIER_COUNT.label("suppliers"))


def _seal(session: AsyncSession, client: ApiClient) -> dict[str, Any]:
    values = {name: getattr(client, name) for name in _STORED}
    if client.client_secret:  # None and "" stay as they are: "has no legacy secret"
        box = Database.box_of(session)
        purpose = client_secret_purpose(client.id)
        values["client_secret"] = box.encrypt(client.client_secret, purpose=purpose)
    return values


def _to_domain(session: AsyncSession, row: Any, buyers: int, suppliers: int) -> ApiClient:
    """``row``: an ``ApiClientRow`` or a plain row of its stored columns."""
    values = {name: getattr(row, name) for name in _STORED}
    if row.client_secret:
        box = Database.box_of(session)
        purpose = client_secret_purpose(row.id)
        values["client_secret"] = box.decrypt(row.client_secret, purpose=purpose)
    for name in (
        "minimum_required_roles",
        "minimum_required_custom_roles",
        "maximum_granted_roles",
        "maximum_granted_custom_roles",
    ):
        values[name] = list(values[name] or [])
    return ApiClient(**values, assigned_buyer_count=buyers, assigned_supplier_count=suppliers)


async def get(session: AsyncSession, *, marketplace_id: str, client_id: str) -> ApiClient | None:
    stmt = _select().where(
        ApiClientRow.marketplace_id == marketplace_id, ApiClientRow.id == client_id
    )
    found = (await session.execute(stmt)).first()
    return None if found is None else _to_domain(session, *found)


async def get_any(session: AsyncSession, *, client_id: str) -> tuple[str, ApiClient] | None:
    """A client in any marketplace: the token endpoint finds the marketplace this way."""
    stmt = _select().add_columns(ApiClientRow.marketplace_id).where(ApiClientRow.id == client_id)
    found = (await session.execute(stmt)).first()
    if found is None:
        return None
    row, buyers, suppliers, marketplace_id = found
    return marketplace_id, _to_domain(session, row, buyers, suppliers)


async def list_page(
    session: AsyncSession, *, marketplace_id: str, query: ListQuery
) -> tuple[list[ApiClient], int]:
    stmt = _select_columns().where(ApiClientRow.marketplace_id == marketplace_id)
    rows, total = await fetch_page(session, stmt, query, COLUMNS)
    return [_to_domain(session, row, row.buyers, row.suppliers) for row in rows], total


async def list_all(session: AsyncSession, *, marketplace_id: str) -> list[ApiClient]:
    stmt = _select().where(ApiClientRow.marketplace_id == marketplace_id)
    return [_to_domain(session, *row) for row in (await session.execute(stmt)).all()]


async def insert(
    session: AsyncSession, *, marketplace_id: str, client: ApiClient, now: datetime
) -> None:
    values = _seal(session, client)
    session.add(ApiClientRow(**values, marketplace_id=marketplace_id, created_at=now))
    await session.flush()


async def update(session: AsyncSession, *, marketplace_id: str, client: ApiClient) -> None:
    row = await session.get(ApiClientRow, client.id)
    if row is None or row.marketplace_id != marketplace_id:
        raise LookupError(client.id)
    for name, value in _seal(session, client).items():
        setattr(row, name, value)
    await session.flush()


async def delete_client(session: AsyncSession, *, marketplace_id: str, client_id: str) -> bool:
    result = await session.execute(
        delete(ApiClientRow).where(
            ApiClientRow.marketplace_id == marketplace_id, ApiClientRow.id == client_id
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def assigned_companies(session: AsyncSession, *, client_id: str) -> tuple[set[str], set[str]]:
    """(buyer IDs, supplier IDs) assigned to a client, for the access decision."""
    rows = (
        await session.execute(
            select(ApiClientAssignmentRow.buyer_id, ApiClientAssignmentRow.supplier_id).where(
                ApiClientAssignmentRow.api_client_id == client_id
            )
        )
    ).all()
    return {b for b, _ in rows if b}, {s for _, s in rows if s}


async def list_assignments(
    session: AsyncSession,
    *,
    marketplace_id: str,
    client_id: str | None,
    buyer_id: str | None,
    supplier_id: str | None,
    page: int,
    page_size: int,
) -> tuple[list[tuple[str, str, str]], int]:
    conditions = [ApiClientAssignmentRow.marketplace_id == marketplace_id]
    if client_id is not None:
        conditions.append(ApiClientAssignmentRow.api_client_id == client_id)
    if buyer_id is not None:
        conditions.append(ApiClientAssignmentRow.buyer_id == buyer_id)
    if supplier_id is not None:
        conditions.append(ApiClientAssignmentRow.supplier_id == supplier_id)
    where = and_(*conditions)
    total = await session.scalar(
        select(func.count()).select_from(ApiClientAssignmentRow).where(where)
    )
    stmt = (
        select(
            ApiClientAssignmentRow.api_client_id,
            ApiClientAssignmentRow.buyer_id,
            ApiClientAssignmentRow.supplier_id,
        )
        .where(where)
        .order_by(
            ApiClientAssignmentRow.buyer_id,
            ApiClientAssignmentRow.supplier_id,
            ApiClientAssignmentRow.api_client_id,
        )
        .limit(page_size)
        .offset((page - 1) * page_size)
    )
    rows = (await session.execute(stmt)).all()
    return [(c, b, s) for c, b, s in rows], int(total or 0)


async def save_assignment(
    session: AsyncSession, *, marketplace_id: str, client_id: str, buyer_id: str, supplier_id: str
) -> None:
    """Idempotent, also under concurrent identical requests."""
    await insert_ignoring_duplicates(
        session,
        ApiClientAssignmentRow,
        {
            "marketplace_id": marketplace_id,
            "api_client_id": client_id,
            "buyer_id": buyer_id,
            "supplier_id": supplier_id,
        },
    )


async def delete_assignment(
    session: AsyncSession, *, marketplace_id: str, client_id: str, buyer_id: str, supplier_id: str
) -> bool:
    result = await session.execute(
        delete(ApiClientAssignmentRow).where(
            ApiClientAssignmentRow.marketplace_id == marketplace_id,
            ApiClientAssignmentRow.api_client_id == client_id,
            ApiClientAssignmentRow.buyer_id == buyer_id,
            ApiClientAssignmentRow.supplier_id == supplier_id,
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
