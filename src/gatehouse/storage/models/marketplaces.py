"""Marketplaces and their API clients: the client, its assignments to companies, its named
secrets, and the console's own client per marketplace."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from gatehouse.storage.models._base import ID, MICROS_TYPE, Base, _tz


class Marketplace(Base):
    __tablename__ = "marketplaces"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(_tz())


class ApiClientRow(Base):
    __tablename__ = "api_clients"

    # Lowercase GUID, globally unique: the token endpoint finds the marketplace through it.
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    marketplace_id: Mapped[str] = mapped_column(
        ID, ForeignKey("marketplaces.id", ondelete="CASCADE"), index=True
    )
    app_name: Mapped[str] = mapped_column(String(1000))
    # The legacy secret is returned on GET (decisions.md), so it is encrypted, not hashed
    # (gatehouse.storage.sealing); Text: the encrypted form is longer than the 1000 allowed.
    client_secret: Mapped[str | None] = mapped_column(Text)
    access_token_duration: Mapped[int] = mapped_column(Integer)
    refresh_token_duration: Mapped[int] = mapped_column(Integer, default=0)
    anonymous_token_duration: Mapped[int] = mapped_column(Integer, default=10080)
    default_context_username: Mapped[str | None] = mapped_column(String(1000))
    xp: Mapped[Any] = mapped_column(JSON, nullable=True)
    allow_any_buyer: Mapped[bool] = mapped_column(Boolean, default=False)
    allow_any_supplier: Mapped[bool] = mapped_column(Boolean, default=False)
    allow_seller: Mapped[bool] = mapped_column(Boolean, default=False)
    is_anon_buyer: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    order_checkout_integration_event_id: Mapped[str | None] = mapped_column(ID)
    order_return_integration_event_id: Mapped[str | None] = mapped_column(ID)
    add_to_cart_integration_event_id: Mapped[str | None] = mapped_column(ID)
    minimum_required_roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    minimum_required_custom_roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    maximum_granted_roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    maximum_granted_custom_roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(_tz())
    tokens_valid_from: Mapped[int] = mapped_column(MICROS_TYPE, default=0, server_default="0")
    """Epoch microseconds; this client's access tokens issued before it are refused
    (revoking every token of one client, for incident response)."""
    allowed_origins: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    """Gatehouse's own (issue 9): the browser origins this client serves; NULL or empty for
    every origin the deployment allows. Not part of the OrderCloud ApiClient resource, so a PUT
    of /v1/apiclients never touches it (managed at /gatehouse/apiclients/{id}/origins)."""


class ApiClientAssignmentRow(Base):
    __tablename__ = "api_client_assignments"
    __table_args__ = (
        UniqueConstraint(
            "api_client_id", "buyer_id", "supplier_id", name="uq_api_client_assignment"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    marketplace_id: Mapped[str] = mapped_column(ID, index=True)
    api_client_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("api_clients.id", ondelete="CASCADE")
    )
    buyer_id: Mapped[str] = mapped_column(ID, default="")
    supplier_id: Mapped[str] = mapped_column(ID, default="")


class ApiClientSecretRow(Base):
    """A named client secret (spec §1.2): only its SHA-256 is stored; the value is shown once."""

    __tablename__ = "api_client_secrets"

    api_client_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("api_clients.id", ondelete="CASCADE"), primary_key=True
    )
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    marketplace_id: Mapped[str] = mapped_column(ID)
    name: Mapped[str] = mapped_column(String(100))
    secret_sha256: Mapped[str] = mapped_column(String(64))
    expiration: Mapped[datetime | None] = mapped_column(_tz())
    created_at: Mapped[datetime] = mapped_column(_tz())


class ConsoleClientRow(Base):
    """Which API client the admin web console of a marketplace signs in through (issue 9):
    the console is an ordinary public client, created with each marketplace, so its traffic
    shows separately. Deleting that client deletes this row (the console then says so)."""

    __tablename__ = "console_clients"

    marketplace_id: Mapped[str] = mapped_column(
        ID, ForeignKey("marketplaces.id", ondelete="CASCADE"), primary_key=True
    )
    api_client_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("api_clients.id", ondelete="CASCADE"), index=True
    )


# --- single sign-on (issue 14) -------------------------------------------------------------
