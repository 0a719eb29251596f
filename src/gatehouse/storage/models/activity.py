"""The audit trail, per-client usage counts and the rate limits set on clients and marketplaces."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from gatehouse.storage.models._base import ID, Base, _tz


class AuditEventRow(Base):
    """One audit event (issue 5 point 2). No foreign keys: an event outlives the client, user
    or marketplace it names. ``marketplace_id`` is NULL for server-wide events (key rotation).
    ``details`` never holds a secret value, password, hash or token."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_marketplace_time", "marketplace_id", "time"),
        Index("ix_audit_events_client_time", "marketplace_id", "client_id", "time"),
        Index("ix_audit_events_actor_client_time", "marketplace_id", "actor_client_id", "time"),
        Index("ix_audit_events_type_time", "marketplace_id", "event_type", "time"),
        Index("ix_audit_events_time", "time"),
    )

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    time: Mapped[datetime] = mapped_column(_tz())
    marketplace_id: Mapped[str | None] = mapped_column(ID)
    event_type: Mapped[str] = mapped_column(String(64))
    actor_type: Mapped[str] = mapped_column(String(10))
    actor_user_id: Mapped[int | None] = mapped_column(Integer)
    actor_username: Mapped[str | None] = mapped_column(String(100))
    actor_user_type: Mapped[str | None] = mapped_column(String(10))
    actor_client_id: Mapped[str | None] = mapped_column(String(36))
    client_id: Mapped[str | None] = mapped_column(String(36))
    user_internal_id: Mapped[int | None] = mapped_column(Integer)
    username: Mapped[str | None] = mapped_column(String(100))
    user_type: Mapped[str | None] = mapped_column(String(10))
    details: Mapped[Any] = mapped_column(JSON, nullable=True)


class _RateLimitColumns:
    """The four limits (``domain.rate_limits``); NULL rate = unlimited."""

    token_per_minute: Mapped[int | None] = mapped_column(Integer)
    token_burst: Mapped[int | None] = mapped_column(Integer)
    api_per_minute: Mapped[int | None] = mapped_column(Integer)
    api_burst: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(_tz())


class ClientRateLimitRow(_RateLimitColumns, Base):
    """A client's own limits; when present they replace the marketplace default."""

    __tablename__ = "client_rate_limits"

    api_client_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("api_clients.id", ondelete="CASCADE"), primary_key=True
    )
    marketplace_id: Mapped[str] = mapped_column(ID, index=True)


class MarketplaceRateLimitRow(_RateLimitColumns, Base):
    """The limits of every client of the marketplace that has none of its own."""

    __tablename__ = "marketplace_rate_limits"

    marketplace_id: Mapped[str] = mapped_column(
        ID, ForeignKey("marketplaces.id", ondelete="CASCADE"), primary_key=True
    )


class ClientUsageRow(Base):
    """Per-minute usage counts of one client (``domain.usage``): every process adds its
    in-memory counts here every few seconds with an upsert. No foreign key: a flush may still
    carry counts of a client deleted meanwhile; the rows age out with the retention."""

    __tablename__ = "client_usage"

    marketplace_id: Mapped[str] = mapped_column(ID, primary_key=True)
    client_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    minute: Mapped[datetime] = mapped_column(_tz(), primary_key=True, index=True)
    kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    label: Mapped[str] = mapped_column(String(100), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)


class ClientLastUsedRow(Base):
    """When each client was last used (a token issued to it, or an API request with one of
    its tokens), kept beyond the per-minute rows' retention so the configuration review can
    tell a client idle for months from one used last week. Raised by every usage flush."""

    __tablename__ = "client_last_used"

    marketplace_id: Mapped[str] = mapped_column(ID, primary_key=True)
    client_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    last_used: Mapped[datetime] = mapped_column(_tz())
