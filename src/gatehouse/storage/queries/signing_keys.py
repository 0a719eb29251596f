"""The ``signing_keys`` table behind ``oauth.keys``: oauth generates, seals and caches the keys;
these functions only read and write the rows, so no SQL (and no row) leaves storage."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from gatehouse.storage.models import SigningKeyRow


@dataclass(frozen=True, slots=True)
class StoredSigningKey:
    """One row of ``signing_keys``; ``private_key_pem`` is sealed (``storage.sealing``) and
    None once the key is no longer published."""

    kid: str
    algorithm: str
    private_key_pem: str | None
    public_jwk: dict[str, Any]
    created_at: datetime
    retired_at: datetime | None = None
    publish_until: datetime | None = None
    activates_at: datetime | None = None


async def has_unretired_key(session: AsyncSession) -> bool:
    """Whether any key may still sign (or will): the bootstrap creates one only if not."""
    kid = await session.scalar(
        select(SigningKeyRow.kid).where(SigningKeyRow.retired_at.is_(None)).limit(1)
    )
    return kid is not None


def add_key(session: AsyncSession, key: StoredSigningKey) -> None:
    """Insert a new key (flushed with the transaction)."""
    session.add(
        SigningKeyRow(
            kid=key.kid,
            algorithm=key.algorithm,
            private_key_pem=key.private_key_pem,
            public_jwk=key.public_jwk,
            created_at=key.created_at,
            retired_at=key.retired_at,
            publish_until=key.publish_until,
            activates_at=key.activates_at,
        )
    )


async def retire_keys(
    session: AsyncSession, retire_at: datetime, publish_until: datetime, now: datetime
) -> None:
    """Retire every unretired key at ``retire_at`` (published until ``publish_until``), and
    wipe the private halves of keys whose publication ended before ``now``."""
    await session.execute(
        update(SigningKeyRow)
        .where(SigningKeyRow.retired_at.is_(None))
        .values(retired_at=retire_at, publish_until=publish_until)
    )
    await session.execute(
        update(SigningKeyRow).where(SigningKeyRow.publish_until < now).values(private_key_pem=None)
    )


async def published_keys(session: AsyncSession, now: datetime) -> list[StoredSigningKey]:
    """The keys still published at ``now`` (the JWKS and the signers are built from them)."""
    rows = await session.scalars(
        select(SigningKeyRow).where(
            or_(SigningKeyRow.publish_until.is_(None), SigningKeyRow.publish_until > now)
        )
    )
    return [_stored(row) for row in rows]


def _stored(row: SigningKeyRow) -> StoredSigningKey:
    return StoredSigningKey(
        kid=row.kid,
        algorithm=row.algorithm,
        private_key_pem=row.private_key_pem,
        public_jwk=dict(row.public_jwk),
        created_at=row.created_at,
        retired_at=row.retired_at,
        publish_until=row.publish_until,
        activates_at=row.activates_at,
    )
