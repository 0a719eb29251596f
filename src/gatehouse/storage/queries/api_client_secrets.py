"""Named API client secret rows. The primary key ``(api_client_id, id)`` makes every lookup
here, including the token endpoint's, an index range scan on one client."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from gatehouse.domain.api_client_secrets import ApiClientSecret, NamedSecretHash
from gatehouse.domain.listing import ListQuery
from gatehouse.storage.listing import ColumnMap, fetch_page
from gatehouse.storage.models import ApiClientRow, ApiClientSecretRow

COLUMNS = ColumnMap(
    columns={
        "ID": ApiClientSecretRow.id,
        "Name": ApiClientSecretRow.name,
        "Expiration": ApiClientSecretRow.expiration,
    }
)


def _to_domain(row: ApiClientSecretRow) -> ApiClientSecret:
    return ApiClientSecret(id=row.id, name=row.name, expiration=row.expiration)


async def client_exists(
    session: AsyncSession, *, marketplace_id: str, client_id: str, lock: bool = False
) -> bool:
    """Whether the client is in this marketplace. ``lock`` takes its row (``FOR UPDATE`` on
    PostgreSQL; on SQLite the ``BEGIN IMMEDIATE`` write transaction already is the lock), so
    concurrent changes to one client's secrets run one after another."""
    stmt = select(ApiClientRow.id).where(
        ApiClientRow.marketplace_id == marketplace_id, ApiClientRow.id == client_id
    )
    return await session.scalar(stmt.with_for_update() if lock else stmt) is not None


async def get(session: AsyncSession, *, client_id: str, secret_id: str) -> ApiClientSecret | None:
    row = await session.get(ApiClientSecretRow, (client_id, secret_id))
    return None if row is None else _to_domain(row)


async def count(session: AsyncSession, *, client_id: str) -> int:
    stmt = select(func.count()).where(ApiClientSecretRow.api_client_id == client_id)
    return int(await session.scalar(stmt) or 0)


async def list_page(
    session: AsyncSession, *, client_id: str, query: ListQuery
) -> tuple[list[ApiClientSecret], int]:
    stmt = select(ApiClientSecretRow).where(ApiClientSecretRow.api_client_id == client_id)
    rows, total = await fetch_page(session, stmt, query, COLUMNS)
    return [_to_domain(row[0]) for row in rows], total


async def hashes(session: AsyncSession, *, client_id: str) -> tuple[NamedSecretHash, ...]:
    stmt = select(ApiClientSecretRow.secret_sha256, ApiClientSecretRow.expiration).where(
        ApiClientSecretRow.api_client_id == client_id
    )
    return tuple(NamedSecretHash(sha, exp) for sha, exp in (await session.execute(stmt)).all())


async def insert(
    session: AsyncSession,
    *,
    marketplace_id: str,
    client_id: str,
    secret: ApiClientSecret,
    sha256: str,
    now: datetime,
) -> None:
    session.add(
        ApiClientSecretRow(
            api_client_id=client_id,
            id=secret.id,
            marketplace_id=marketplace_id,
            name=secret.name,
            secret_sha256=sha256,
            expiration=secret.expiration,
            created_at=now,
        )
    )
    await session.flush()


async def update_secret(
    session: AsyncSession, *, client_id: str, current_id: str, secret: ApiClientSecret
) -> None:
    """Overwrite ID, Name and Expiration; the hash never changes."""
    await session.execute(
        update(ApiClientSecretRow)
        .where(ApiClientSecretRow.api_client_id == client_id, ApiClientSecretRow.id == current_id)
        .values(id=secret.id, name=secret.name, expiration=secret.expiration)
    )


async def delete_secret(session: AsyncSession, *, client_id: str, secret_id: str) -> bool:
    result = await session.execute(
        delete(ApiClientSecretRow).where(
            ApiClientSecretRow.api_client_id == client_id, ApiClientSecretRow.id == secret_id
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def expire_others(
    session: AsyncSession, *, client_id: str, keep_id: str, until: datetime
) -> int:
    """Make every other named secret of the client expire at ``until`` at the latest (a
    secret already expiring sooner keeps its date). Returns how many changed."""
    row = ApiClientSecretRow
    result = await session.execute(
        update(row)
        .where(
            row.api_client_id == client_id,
            row.id != keep_id,
            (row.expiration.is_(None)) | (row.expiration > until),
        )
        .values(expiration=until)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def has_legacy_secret(session: AsyncSession, *, client_id: str) -> bool:
    legacy = await session.scalar(
        select(ApiClientRow.client_secret).where(ApiClientRow.id == client_id)
    )
    return bool(legacy)


async def is_anon_buyer(session: AsyncSession, *, client_id: str) -> bool:
    flag = await session.scalar(
        select(ApiClientRow.is_anon_buyer).where(ApiClientRow.id == client_id)
    )
    return bool(flag)
