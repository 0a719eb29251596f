"""SQLAlchemy tables. These classes never leave ``storage/``; repositories map them to domain
objects and the HTTP layer has its own wire schemas.

Party columns in assignment tables hold ``''`` rather than NULL for "not set", so one plain
unique constraint makes each assignment idempotent on both SQLite and PostgreSQL (NULLs are
distinct in unique constraints on both).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, column_property, mapped_column
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
