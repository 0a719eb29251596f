"""What every table module shares: the declarative base on the project's ``MetaData`` (its
naming convention keeps constraint names stable), the ID type and UTC datetimes."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import BigInteger, DateTime, Integer, String
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

from gatehouse.storage.db import metadata

ID = String(100)
MICROS_TYPE = BigInteger().with_variant(Integer(), "sqlite")
"""Epoch microseconds: 64-bit (SQLite's INTEGER already is, and a column type change there
would rebuild tables)."""


class Base(DeclarativeBase):
    metadata = metadata


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both databases (SQLite drops the offset on its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime stored")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None or value.tzinfo is not None:
            return value
        return value.replace(tzinfo=UTC)


def _tz() -> UtcDateTime:
    return UtcDateTime()
