"""Buyer and supplier rows ↔ the domain ``Company``: existence and activity checks (used by
the assignment code and the token endpoint) and the Buyer and Supplier resources themselves."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy import update as sa_update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from gatehouse.domain.companies import Company, CompanyKind
from gatehouse.domain.listing import ListQuery
from gatehouse.storage.listing import ColumnMap, fetch_page
from gatehouse.storage.models import (
    ApiClientAssignmentRow,
    ApiClientRow,
    BuyerRow,
    SecurityProfileAssignmentRow,
    SupplierRow,
    UserGroupAssignmentRow,
    UserGroupRow,
    UserRow,
)
from gatehouse.storage.models import Company as CompanyRow
from gatehouse.storage.queries.users import username_key


async def buyer_exists(session: AsyncSession, *, marketplace_id: str, buyer_id: str) -> bool:
    found = await session.scalar(
        select(BuyerRow.id).where(
            BuyerRow.marketplace_id == marketplace_id, BuyerRow.id == buyer_id
        )
    )
    return found is not None


async def supplier_exists(session: AsyncSession, *, marketplace_id: str, supplier_id: str) -> bool:
    found = await session.scalar(
        select(SupplierRow.id).where(
            SupplierRow.marketplace_id == marketplace_id, SupplierRow.id == supplier_id
        )
    )
    return found is not None


async def company_active(
    session: AsyncSession, *, marketplace_id: str, user_type: str, company_id: str
) -> bool:
    model = BuyerRow if user_type == "buyer" else SupplierRow
    active = await session.scalar(
        select(model.active).where(model.marketplace_id == marketplace_id, model.id == company_id)
    )
    return bool(active)


# --- the Buyer and Supplier resources ------------------------------------------------------

CompanyModel = type[BuyerRow] | type[SupplierRow]

_MODELS: dict[CompanyKind, CompanyModel] = {
    CompanyKind.BUYER: BuyerRow,
    CompanyKind.SUPPLIER: SupplierRow,
}

COLUMNS: dict[CompanyKind, ColumnMap] = {
    CompanyKind.BUYER: ColumnMap(
        columns={
            "ID": BuyerRow.id,
            "Name": BuyerRow.name,
            "DefaultCatalogID": BuyerRow.default_catalog_id,
            "Active": BuyerRow.active,
            "DateCreated": BuyerRow.created_at,
        },
        xp=BuyerRow.xp,
    ),
    CompanyKind.SUPPLIER: ColumnMap(
        columns={
            "ID": SupplierRow.id,
            "Name": SupplierRow.name,
            "Active": SupplierRow.active,
            "DateCreated": SupplierRow.created_at,
            "AllBuyersCanOrder": SupplierRow.all_buyers_can_order,
        },
        xp=SupplierRow.xp,
    ),
}


def to_domain(row: CompanyRow) -> Company:
    common: dict[str, Any] = {
        "id": row.id,
        "name": row.name,
        "active": row.active,
        "xp": row.xp,
        "date_created": row.created_at,
    }
    if isinstance(row, BuyerRow):
        return Company(CompanyKind.BUYER, default_catalog_id=row.default_catalog_id, **common)
    if isinstance(row, SupplierRow):
        return Company(
            CompanyKind.SUPPLIER, all_buyers_can_order=row.all_buyers_can_order, **common
        )
    raise TypeError(f"not a company row: {type(row).__name__}")


async def get(
    session: AsyncSession,
    *,
    marketplace_id: str,
    kind: CompanyKind,
    company_id: str,
    for_update: bool = False,
) -> Company | None:
    """One company; ``for_update`` locks its row on PostgreSQL so concurrent PATCHes and
    DELETEs of the same company queue (SQLite's writes are serial anyway)."""
    model = _MODELS[kind]
    stmt = select(model).where(model.marketplace_id == marketplace_id, model.id == company_id)
    row = await session.scalar(stmt.with_for_update() if for_update else stmt)
    return None if row is None else to_domain(row)


async def list_page(
    session: AsyncSession,
    *,
    marketplace_id: str,
    kind: CompanyKind,
    query: ListQuery,
    only: frozenset[str] | None,
) -> tuple[list[Company], int]:
    """A page of companies; ``only`` (when not ``None``) restricts it to those IDs."""
    model = _MODELS[kind]
    stmt = select(model).where(model.marketplace_id == marketplace_id)
    if only is not None:
        stmt = stmt.where(model.id.in_(sorted(only)))
    rows, total = await fetch_page(session, stmt, query, COLUMNS[kind])
    return [to_domain(row[0]) for row in rows], total


async def insert_new(
    session: AsyncSession, *, marketplace_id: str, company: Company, now: datetime
) -> bool:
    """Insert unless the ID is taken; False when it was. A single statement, so two concurrent
    POSTs of one ID cannot both succeed nor fail with an integrity error."""
    model = _MODELS[company.kind]
    stmt = (
        _insert(session, model)
        .values(marketplace_id=marketplace_id, created_at=now, **_values(company))
        .on_conflict_do_nothing()
        .returning(model.id)
    )
    return await session.scalar(stmt) is not None


async def upsert(
    session: AsyncSession, *, marketplace_id: str, company: Company, now: datetime
) -> datetime:
    """PUT: create at this ID or replace every writable field, in one atomic statement
    (concurrent PUTs of a new ID never collide). Returns the stored DateCreated."""
    model = _MODELS[company.kind]
    values = _values(company)
    stmt = _insert(session, model).values(marketplace_id=marketplace_id, created_at=now, **values)
    stmt = stmt.on_conflict_do_update(
        index_elements=[model.marketplace_id, model.id],
        set_={name: stmt.excluded[name] for name in values if name != "id"},
    ).returning(model.created_at)
    created: datetime = (await session.execute(stmt)).scalar_one()
    return created


async def update(session: AsyncSession, *, marketplace_id: str, company: Company) -> None:
    model = _MODELS[company.kind]
    await session.execute(
        sa_update(model)
        .where(model.marketplace_id == marketplace_id, model.id == company.id)
        .values(**_values(company))
    )


async def default_context_users(
    session: AsyncSession, *, marketplace_id: str, kind: CompanyKind, company_id: str
) -> list[str]:
    """IDs of the company's users that some ApiClient names as its DefaultContextUserName
    (compared case-insensitively, as usernames are)."""
    names = await session.scalars(
        select(ApiClientRow.default_context_username).where(
            ApiClientRow.marketplace_id == marketplace_id,
            ApiClientRow.default_context_username.is_not(None),
        )
    )
    keys = sorted({username_key(name) for name in names if name})
    if not keys:
        return []
    found = await session.scalars(
        select(UserRow.external_id)
        .where(*_users_of(marketplace_id, kind, company_id), UserRow.username_key.in_(keys))
        .order_by(UserRow.external_id)
    )
    return list(found)


async def delete_company(
    session: AsyncSession, *, marketplace_id: str, kind: CompanyKind, company_id: str
) -> None:
    """Delete the company and everything that belongs to it: its users, its user groups and
    their memberships, and its ApiClient and security profile assignments. Runs in the
    caller's transaction, so the whole removal commits or none of it does."""
    if not company_id:
        raise ValueError("company_id is empty: that would match seller-level rows")
    model = _MODELS[kind]
    for stmt in (
        *_owned_by(marketplace_id, kind, company_id),
        delete(model).where(model.marketplace_id == marketplace_id, model.id == company_id),
    ):
        await session.execute(stmt)


def _owned_by(marketplace_id: str, kind: CompanyKind, company_id: str) -> list[Any]:
    """DELETE statements for the rows that belong to a company, dependents first."""
    buyer = kind is CompanyKind.BUYER
    clients, profiles = ApiClientAssignmentRow, SecurityProfileAssignmentRow
    client_party = clients.buyer_id if buyer else clients.supplier_id
    profile_party = profiles.buyer_id if buyer else profiles.supplier_id
    members, groups = UserGroupAssignmentRow, UserGroupRow
    return [
        delete(members).where(
            members.marketplace_id == marketplace_id,
            members.owner_type == kind.value,
            members.company_id == company_id,
        ),
        delete(groups).where(
            groups.marketplace_id == marketplace_id,
            groups.owner_type == kind.value,
            groups.company_id == company_id,
        ),
        delete(UserRow).where(*_users_of(marketplace_id, kind, company_id)),
        delete(clients).where(clients.marketplace_id == marketplace_id, client_party == company_id),
        delete(profiles).where(
            profiles.marketplace_id == marketplace_id, profile_party == company_id
        ),
    ]


def _users_of(marketplace_id: str, kind: CompanyKind, company_id: str) -> list[Any]:
    return [
        UserRow.marketplace_id == marketplace_id,
        UserRow.user_type == kind.user_type.value,
        UserRow.company_id == company_id,
    ]


def _values(company: Company) -> dict[str, Any]:
    """The stored columns of a company's writable fields (each kind has one of its own)."""
    values: dict[str, Any] = {
        "id": company.id,
        "name": company.name,
        "active": company.active,
        "xp": company.xp,
    }
    if company.kind is CompanyKind.BUYER:
        values["default_catalog_id"] = company.default_catalog_id
    else:
        values["all_buyers_can_order"] = company.all_buyers_can_order
    return values


def _insert(session: AsyncSession, model: CompanyModel) -> Any:
    """The dialect's INSERT, which has ON CONFLICT on both SQLite and PostgreSQL."""
    module: Any = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return module.insert(model)
