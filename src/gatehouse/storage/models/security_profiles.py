"""Security profiles, their assignments to parties, and impersonation configs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from gatehouse.storage.models._base import ID, Base, _tz


class SecurityProfileRow(Base):
    __tablename__ = "security_profiles"

    marketplace_id: Mapped[str] = mapped_column(
        ID, ForeignKey("marketplaces.id", ondelete="CASCADE"), primary_key=True
    )
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    custom_roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    password_config: Mapped[Any] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(_tz())


class SecurityProfileAssignmentRow(Base):
    """One assignment; which party columns are set decides the level (spec §5.2)."""

    __tablename__ = "security_profile_assignments"
    __table_args__ = (
        UniqueConstraint(
            "marketplace_id",
            "security_profile_id",
            "buyer_id",
            "supplier_id",
            "user_id",
            "user_group_id",
            name="uq_security_profile_assignment",
        ),
        ForeignKeyConstraint(
            ["marketplace_id", "security_profile_id"],
            ["security_profiles.marketplace_id", "security_profiles.id"],
            ondelete="CASCADE",
            onupdate="CASCADE",
            name="fk_security_profile_assignments_profile",
        ),
        # The roles query filters by company and user within a marketplace.
        Index("ix_spa_party", "marketplace_id", "buyer_id", "supplier_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    marketplace_id: Mapped[str] = mapped_column(ID, index=True)
    security_profile_id: Mapped[str] = mapped_column(ID)
    buyer_id: Mapped[str] = mapped_column(ID, default="")
    supplier_id: Mapped[str] = mapped_column(ID, default="")
    user_id: Mapped[str] = mapped_column(ID, default="")
    user_group_id: Mapped[str] = mapped_column(ID, default="")


class ImpersonationConfigRow(Base):
    """Who may impersonate whom, through which client, with which roles (spec §3.10).

    ``impersonation_buyer_id`` empty means the impersonator is a seller (admin) user or admin
    group; ``buyer_id`` empty means any buyer the client may serve. Empty strings stand for
    null so the columns can take part in uniqueness checks on both databases.
    """

    __tablename__ = "impersonation_configs"

    marketplace_id: Mapped[str] = mapped_column(
        ID, ForeignKey("marketplaces.id", ondelete="CASCADE"), primary_key=True
    )
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str | None] = mapped_column(String(100))
    impersonation_buyer_id: Mapped[str] = mapped_column(ID, default="")
    impersonation_group_id: Mapped[str] = mapped_column(ID, default="")
    impersonation_user_id: Mapped[str] = mapped_column(ID, default="")
    buyer_id: Mapped[str] = mapped_column(ID, default="")
    group_id: Mapped[str] = mapped_column(ID, default="")
    user_id: Mapped[str] = mapped_column(ID, default="")
    security_profile_id: Mapped[str] = mapped_column(ID)
    client_id: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(_tz())
