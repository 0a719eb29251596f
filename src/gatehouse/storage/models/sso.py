"""Single sign-on: OpenID Connect configs, integration events, login states and the links from IdP
identities to users."""

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
)
from sqlalchemy.orm import Mapped, column_property, mapped_column

from gatehouse.storage.models._base import ID, Base, _tz


class IntegrationEventRow(Base):
    """An IntegrationEvent (ordercloud-sso.md §4.1). ``hash_key`` is the HMAC key OrderCloud
    returns on GET; ``custom_auth_header_value`` is write-only on the wire."""

    __tablename__ = "integration_events"

    marketplace_id: Mapped[str] = mapped_column(
        ID, ForeignKey("marketplaces.id", ondelete="CASCADE"), primary_key=True
    )
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    event_type: Mapped[str] = mapped_column(String(20))
    custom_implementation_url: Mapped[str] = mapped_column(String(2000))
    hash_key: Mapped[str] = mapped_column(String(50))
    elevated_roles: Mapped[Any] = mapped_column(JSON)
    config_data: Mapped[Any] = mapped_column(JSON, nullable=True)
    custom_auth_header_name: Mapped[str | None] = mapped_column(String(100))
    custom_auth_header_value: Mapped[str | None] = mapped_column(String(2000))
    created_at: Mapped[datetime] = mapped_column(_tz())


class OpenIdConnectRow(Base):
    """One API client signing users in through one IdP (ordercloud-sso.md §2). The IdP client
    secret is stored sealed (``connect_client_secret``: SecretBox text, decisions.md "Secrets
    and keys at rest"). Deleting the API client deletes its configs."""

    __tablename__ = "openid_connects"

    marketplace_id: Mapped[str] = mapped_column(
        ID, ForeignKey("marketplaces.id", ondelete="CASCADE"), primary_key=True
    )
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    api_client_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("api_clients.id", ondelete="CASCADE"), index=True
    )
    connect_client_id: Mapped[str] = mapped_column(String(2000))
    connect_client_secret: Mapped[str] = mapped_column(Text)
    app_start_url: Mapped[str] = mapped_column(String(2000))
    authorization_endpoint: Mapped[str] = mapped_column(String(2000))
    token_endpoint: Mapped[str] = mapped_column(String(2000))
    url_encoded: Mapped[bool] = mapped_column(Boolean, default=False)
    integration_event_id: Mapped[str | None] = mapped_column(ID, index=True)
    call_sync_user: Mapped[bool] = mapped_column(Boolean, default=False)
    additional_scopes: Mapped[Any] = mapped_column(JSON)
    custom_error_url: Mapped[str | None] = mapped_column(String(2000))
    created_at: Mapped[datetime] = mapped_column(_tz())
    sealing_key: Mapped[str] = column_property(marketplace_id + ":" + id)
    """``{marketplace_id}:{id}``: what the sealed secret is bound to (``storage.sealing``)."""


class SsoStateRow(Base):
    """One pending ``/ocrplogin`` round trip, keyed by the SHA-256 of its ``state``: single use
    (deleted when the callback consumes it), short-lived, and bound to the browser through
    the SHA-256 of a cookie value. Holds what must survive the IdP round trip."""

    __tablename__ = "sso_states"

    state_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    marketplace_id: Mapped[str] = mapped_column(
        ID, ForeignKey("marketplaces.id", ondelete="CASCADE")
    )
    config_id: Mapped[str] = mapped_column(ID)
    browser_sha256: Mapped[str] = mapped_column(String(64))
    nonce: Mapped[str] = mapped_column(String(100))
    code_verifier: Mapped[str | None] = mapped_column(String(200))
    roles: Mapped[str | None] = mapped_column(String(4000))
    app_start_path: Mapped[str] = mapped_column(String(2000), default="")
    expires_at: Mapped[datetime] = mapped_column(_tz(), index=True)


class SsoIdentityLinkRow(Base):
    """An IdP identity (``iss``, ``sub``) linked to a user by ``/createuser`` (ordercloud-sso.md
    §3.6). Deleted with the user."""

    __tablename__ = "sso_identity_links"

    marketplace_id: Mapped[str] = mapped_column(
        ID, ForeignKey("marketplaces.id", ondelete="CASCADE"), primary_key=True
    )
    issuer: Mapped[str] = mapped_column(String(1000), primary_key=True)
    subject: Mapped[str] = mapped_column(String(255), primary_key=True)
    user_internal_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    config_id: Mapped[str] = mapped_column(ID)
    created_at: Mapped[datetime] = mapped_column(_tz())
