"""Signing keys, refresh tokens and the access tokens revoked one by one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from gatehouse.storage.models._base import ID, Base, _tz


class SigningKeyRow(Base):
    """RS256 signing keys. Rows are never deleted, so a kid is never reused; the private key
    is wiped once the key is no longer published."""

    __tablename__ = "signing_keys"

    kid: Mapped[str] = mapped_column(String(64), primary_key=True)
    algorithm: Mapped[str] = mapped_column(String(10))
    private_key_pem: Mapped[str | None] = mapped_column(Text)
    public_jwk: Mapped[Any] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(_tz())
    retired_at: Mapped[datetime | None] = mapped_column(_tz())
    publish_until: Mapped[datetime | None] = mapped_column(_tz())
    activates_at: Mapped[datetime | None] = mapped_column(_tz())
    """When the key starts signing (published before, so every process knows it by then);
    NULL: since ``created_at``."""


class RefreshTokenRow(Base):
    """An opaque refresh token, stored as its SHA-256 (decisions.md): not rotated, valid until
    it expires or is revoked. ``roles`` are the roles the original grant gave."""

    __tablename__ = "refresh_tokens"

    token_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    marketplace_id: Mapped[str] = mapped_column(ID)
    api_client_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("api_clients.id", ondelete="CASCADE"), index=True
    )
    user_internal_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(_tz())
    expires_at: Mapped[datetime] = mapped_column(_tz(), index=True)
    revoked_at: Mapped[datetime | None] = mapped_column(_tz())


class RevokedAccessTokenRow(Base):
    """One access token revoked through ``/oauth/revoke`` (RFC 7009), by its ``jti``, kept
    until the token would have expired anyway. Every process holds the unexpired ids in memory
    (``oauth.revoked``), so checking a token costs no query."""

    __tablename__ = "revoked_access_tokens"

    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    marketplace_id: Mapped[str] = mapped_column(ID)
    api_client_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("api_clients.id", ondelete="CASCADE"), index=True
    )
    expires_at: Mapped[int] = mapped_column(BigInteger, index=True)
    """The token's ``exp`` (epoch seconds): the row is useless after it."""
    revoked_at: Mapped[datetime] = mapped_column(_tz())
