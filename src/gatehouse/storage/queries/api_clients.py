"""ApiClient rows ↔ the domain ``ApiClient``, and the ApiClientAssignment queries."""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, bindparam, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from gatehouse.domain.api_clients import ApiClient
from gatehouse.domain.listing import ListQuery
from gatehouse.storage.db import Database
from gatehouse.storage.listing import ColumnMap, PageStatement, fetch_page
from gatehouse.storage.models import ApiClientAssignmentRow, ApiClientRow
from gatehouse.storage.queries._upsert import insert_ignoring_duplicates
from gatehouse.storage.sealing import client_secret_purpose

_COMPUTED = {"assigned_buyer_count", "assigned_supplier_count"}
_STORED = [f.name for f in fields(ApiClient) if f.name not in _COMPUTED]

# Table columns, not ORM attributes: a statement naming only these is a Core one, so a list
# page skips the ORM's compile and loading steps (issue 12).
_C = ApiClientRow.__table__.c
_A = ApiClientAssignmentRow.__table__.c

_BUYER_COUNT = (
    select(func.count())
    .where(_A.api_client_id == _C.id)
    .where(_A.buyer_id != "")
    .correlate(ApiClientRow.__table__)
    .scalar_subquery()
)
_SUPPLIER_COUNT = (
    select(func.count())
    .where(_A.api_client_id == _C.id)
    .where(_A.supplier_id != "")
    .correlate(ApiClientRow.__table__)
    .scalar_subquery()
)

COLUMNS = ColumnMap(
    columns={
        "ID": _C.id,
        "AppName": _C.app_name,
        "DefaultContextUserName": _C.default_context_username,
        # NOTE: no "ClientSecret": it is encrypted at rest, and a filter on it would be a
        # guessing oracle (issue 10); domain.listing refuses it before it gets here.
        "AccessTokenDuration": _C.access_token_duration,
        "RefreshTokenDuration": _C.refresh_token_duration,
        "AnonymousTokenDuration": _C.anonymous_token_duration,
        "Active": _C.active,
        "AllowAnyBuyer": _C.allow_any_buyer,
        "AllowAnySupplier": _C.allow_any_supplier,
        "AllowSeller": _C.allow_seller,
        "IsAnonBuyer": _C.is_anon_buyer,
        "OrderCheckoutIntegrationEventID": _C.order_checkout_integration_event_id,
        "OrderReturnIntegrationEventID": _C.order_return_integration_event_id,
        "AddToCartIntegrationEventID": _C.add_to_cart_integration_event_id,
        "AssignedBuyerCount": _BUYER_COUNT,
        "AssignedSupplierCount": _SUPPLIER_COUNT,
    },
    xp=_C.xp,
)


def _select() -> Select[Any]:
    return select(ApiClientRow, _BUYER_COUNT, _SUPPLIER_COUNT)


_PAGE = PageStatement.of(
    select(
        *(_C[name] for name in _STORED),
        _BUYER_COUNT.label("buyers"),
        _SUPPLIER_COUNT.label("suppliers"),
    ).where(_C.marketplace_id == bindparam("marketplace_id")),
    COLUMNS,
)
"""The stored columns as plain rows: a page builds no ORM objects (issue 12)."""


def _seal(session: AsyncSession, client: ApiClient) -> dict[str, Any]:
    values = {name: getattr(client, name) for name in _STORED}
    if client.client_secret:  # None and "" stay as they are: "has no legacy secret"
        box = Database.box_of(session)
        purpose = client_secret_purpose(client.id)
        values["client_secret"] = box.encrypt(client.client_secret, purpose=purpose)
    return values


def _to_domain(session: AsyncSession, row: Any, buyers: int, suppliers: int) -> ApiClient:
    """``row``: an ``ApiClientRow``."""
    values = {name: getattr(row, name) for name in _STORED}
    return _client(session, values, buyers, suppliers)


def _client(
    session: AsyncSession, values: dict[str, Any], buyers: int, suppliers: int
) -> ApiClient:
    """The domain client from its stored values (the secret still sealed)."""
    if values["client_secret"]:
        box = Database.box_of(session)
        purpose = client_secret_purpose(values["id"])
        values["client_secret"] = box.decrypt(values["client_secret"], purpose=purpose)
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
    params = {"marketplace_id": marketplace_id}
    rows, total = await fetch_page(session, _PAGE, query, params=params)
    # By position: a page row is (*_STORED, buyers, suppliers, total); reading a Row's
    # columns by name was the largest cost left in the page (issue 12).
    count = len(_STORED)
    clients = []
    for row in rows:
        values = dict(zip(_STORED, row[:count], strict=True))
        clients.append(_client(session, values, row[count], row[count + 1]))
    return clients, total


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
