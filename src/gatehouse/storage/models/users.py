"""Companies (buyers, suppliers), their users and user groups, and the stand-in rows that make a
wrong password for an unknown username cost the same write."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from gatehouse.storage.models._base import ID, MICROS_TYPE, Base, _tz


class Company(Base):
    """Columns shared by buyers and suppliers (their resources arrive in a later issue)."""

    __abstract__ = True

    marketplace_id: Mapped[str] = mapped_column(
        ID, ForeignKey("marketplaces.id", ondelete="CASCADE"), primary_key=True
    )
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(1000))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    xp: Mapped[Any] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(_tz())


class BuyerRow(Company):
    __tablename__ = "buyers"

    default_catalog_id: Mapped[str | None] = mapped_column(ID, nullable=True)


class SupplierRow(Company):
    __tablename__ = "suppliers"

    all_buyers_can_order: Mapped[bool] = mapped_column(Boolean, default=False)


class UserRow(Base):
    """Admin (seller), buyer and supplier users in one table.

    Usernames are unique within a marketplace across all user types (spec §3.1), compared
    case-insensitively through ``username_key``. ``id`` is the internal numeric id that tokens
    carry as the ``u`` claim; ``external_id`` is the OrderCloud ``ID``.
    """

    __tablename__ = "users"
    __table_args__ = (
        UniqueConstraint(
            "marketplace_id", "user_type", "company_id", "external_id", name="uq_users_party_id"
        ),
        UniqueConstraint("marketplace_id", "username_key", name="uq_users_username"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    marketplace_id: Mapped[str] = mapped_column(
        ID, ForeignKey("marketplaces.id", ondelete="CASCADE")
    )
    user_type: Mapped[str] = mapped_column(String(10))
    company_id: Mapped[str] = mapped_column(ID, default="")  # '' for admin users
    external_id: Mapped[str] = mapped_column(ID)
    username: Mapped[str] = mapped_column(String(100))
    username_key: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    first_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str | None] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    xp: Mapped[Any] = mapped_column(JSON, nullable=True)
    failed_login_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(_tz())
    password_last_set: Mapped[datetime | None] = mapped_column(_tz())
    created_at: Mapped[datetime] = mapped_column(_tz())
    tokens_valid_from: Mapped[int] = mapped_column(MICROS_TYPE, default=0, server_default="0")
    """Epoch microseconds; access tokens issued before it are refused (revocation, spec §3.11).
    Set to the creation second too, so a token of a deleted user can never pass for a new
    user that reuses its numeric id (SQLite may reuse the highest id after a delete)."""


class UserGroupRow(Base):
    """A user group of the seller (``owner_type`` admin, ``company_id`` ''), a buyer or a
    supplier. Group IDs are unique within their owner."""

    __tablename__ = "user_groups"

    marketplace_id: Mapped[str] = mapped_column(
        ID, ForeignKey("marketplaces.id", ondelete="CASCADE"), primary_key=True
    )
    owner_type: Mapped[str] = mapped_column(String(10), primary_key=True)
    company_id: Mapped[str] = mapped_column(ID, primary_key=True)
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(String(2000))
    xp: Mapped[Any] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(_tz())


class UserGroupAssignmentRow(Base):
    """Membership of a user (by internal id) in a group of the same owner."""

    __tablename__ = "user_group_assignments"
    __table_args__ = (
        ForeignKeyConstraint(
            ["marketplace_id", "owner_type", "company_id", "user_group_id"],
            [
                "user_groups.marketplace_id",
                "user_groups.owner_type",
                "user_groups.company_id",
                "user_groups.id",
            ],
            ondelete="CASCADE",
            onupdate="CASCADE",
            name="fk_user_group_assignments_group",
        ),
    )

    marketplace_id: Mapped[str] = mapped_column(ID, primary_key=True)
    owner_type: Mapped[str] = mapped_column(String(10), primary_key=True)
    company_id: Mapped[str] = mapped_column(ID, primary_key=True)
    user_group_id: Mapped[str] = mapped_column(ID, primary_key=True)
    user_internal_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class LoginDecoyRow(Base):
    """Stand-ins for users that do not exist (issue 10, item 2). A wrong password for an
    unknown username updates one of these rows exactly as a wrong password for a real user
    updates that user's lockout columns (row lock, UPDATE, commit: an fsync on SQLite), so the
    answer takes as long either way and its timing does not tell whether the user exists.
    ``storage.queries.login_failures`` picks the row from the username; the rows are made by
    migration 0017 and hold nothing of value."""

    __tablename__ = "login_decoys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    failed_login_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(_tz())
