"""Orders and the anonymous tokens already spent on registering a cart's user."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from gatehouse.storage.models._base import ID, Base, _tz


class OrderRow(Base):
    """An order (cart) from a buyer company to the marketplace owner (the seller).

    Anonymous orders (spec §6.2) belong to the template user (``from_user_internal_id``) with
    ``anonymous`` set; ``anonymous_order_key`` is the ``orderid`` claim they were created
    under (anonymous access is matched on it, so an admin's later edits, even of the ID, never
    cut the anonymous shopper off) and ``anonymous_expires_at`` is when that token expires
    (after which ``gatehouse purge`` deletes the abandoned order). Registering or transferring
    moves the order to a real user and clears the three columns.
    """

    __tablename__ = "orders"
    __table_args__ = (
        Index("ix_orders_from", "marketplace_id", "from_company_id"),
        UniqueConstraint("marketplace_id", "anonymous_order_key", name="uq_orders_anon_key"),
    )

    marketplace_id: Mapped[str] = mapped_column(
        ID, ForeignKey("marketplaces.id", ondelete="CASCADE"), primary_key=True
    )
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    from_company_id: Mapped[str] = mapped_column(ID)
    to_company_id: Mapped[str] = mapped_column(ID)
    from_user_internal_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    comments: Mapped[str | None] = mapped_column(String(2000))
    status: Mapped[str] = mapped_column(String(30))
    xp: Mapped[Any] = mapped_column(JSON, nullable=True)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    anonymous_order_key: Mapped[str | None] = mapped_column(ID)
    anonymous_expires_at: Mapped[datetime | None] = mapped_column(_tz(), index=True)
    created_at: Mapped[datetime] = mapped_column(_tz())
    last_updated: Mapped[datetime] = mapped_column(_tz())


class ConsumedAnonTokenRow(Base):
    """An anonymous token already used by ``PUT /v1/me/register`` or ``PUT /v1/me/orders``,
    by its ``orderid`` (unique per token). Kept until the token expires, then purged."""

    __tablename__ = "consumed_anon_tokens"

    marketplace_id: Mapped[str] = mapped_column(
        ID, ForeignKey("marketplaces.id", ondelete="CASCADE"), primary_key=True
    )
    order_key: Mapped[str] = mapped_column(ID, primary_key=True)
    consumed_at: Mapped[datetime] = mapped_column(_tz())
    expires_at: Mapped[datetime] = mapped_column(_tz(), index=True)
