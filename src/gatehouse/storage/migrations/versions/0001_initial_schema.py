"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-27 21:01:03.565268

NOTE: migrations run while older processes may still serve: do not hold long locks, and keep
the schema compatible with the previous release. Every migration must run on SQLite (batch
mode) and PostgreSQL; the test suite runs them on both.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "marketplaces",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marketplaces")),
    )
    op.create_table(
        "signing_keys",
        sa.Column("kid", sa.String(length=64), nullable=False),
        sa.Column("algorithm", sa.String(length=10), nullable=False),
        sa.Column("private_key_pem", sa.Text(), nullable=True),
        sa.Column("public_jwk", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("publish_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("kid", name=op.f("pk_signing_keys")),
    )
    op.create_table(
        "api_clients",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("marketplace_id", sa.String(length=100), nullable=False),
        sa.Column("app_name", sa.String(length=1000), nullable=False),
        sa.Column("client_secret", sa.String(length=1000), nullable=True),
        sa.Column("access_token_duration", sa.Integer(), nullable=False),
        sa.Column("refresh_token_duration", sa.Integer(), nullable=False),
        sa.Column("anonymous_token_duration", sa.Integer(), nullable=False),
        sa.Column("default_context_username", sa.String(length=1000), nullable=True),
        sa.Column("xp", sa.JSON(), nullable=True),
        sa.Column("allow_any_buyer", sa.Boolean(), nullable=False),
        sa.Column("allow_any_supplier", sa.Boolean(), nullable=False),
        sa.Column("allow_seller", sa.Boolean(), nullable=False),
        sa.Column("is_anon_buyer", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("order_checkout_integration_event_id", sa.String(length=100), nullable=True),
        sa.Column("order_return_integration_event_id", sa.String(length=100), nullable=True),
        sa.Column("add_to_cart_integration_event_id", sa.String(length=100), nullable=True),
        sa.Column("minimum_required_roles", sa.JSON(), nullable=False),
        sa.Column("minimum_required_custom_roles", sa.JSON(), nullable=False),
        sa.Column("maximum_granted_roles", sa.JSON(), nullable=False),
        sa.Column("maximum_granted_custom_roles", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["marketplace_id"],
            ["marketplaces.id"],
            name=op.f("fk_api_clients_marketplace_id_marketplaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_clients")),
    )
    with op.batch_alter_table("api_clients", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_api_clients_marketplace_id"), ["marketplace_id"], unique=False
        )

    op.create_table(
        "buyers",
        sa.Column("marketplace_id", sa.String(length=100), nullable=False),
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=1000), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("xp", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["marketplace_id"],
            ["marketplaces.id"],
            name=op.f("fk_buyers_marketplace_id_marketplaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("marketplace_id", "id", name=op.f("pk_buyers")),
    )
    op.create_table(
        "security_profiles",
        sa.Column("marketplace_id", sa.String(length=100), nullable=False),
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("custom_roles", sa.JSON(), nullable=False),
        sa.Column("password_config", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["marketplace_id"],
            ["marketplaces.id"],
            name=op.f("fk_security_profiles_marketplace_id_marketplaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("marketplace_id", "id", name=op.f("pk_security_profiles")),
    )
    op.create_table(
        "suppliers",
        sa.Column("marketplace_id", sa.String(length=100), nullable=False),
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=1000), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("xp", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["marketplace_id"],
            ["marketplaces.id"],
            name=op.f("fk_suppliers_marketplace_id_marketplaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("marketplace_id", "id", name=op.f("pk_suppliers")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("marketplace_id", sa.String(length=100), nullable=False),
        sa.Column("user_type", sa.String(length=10), nullable=False),
        sa.Column("company_id", sa.String(length=100), nullable=False),
        sa.Column("external_id", sa.String(length=100), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("username_key", sa.String(length=100), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=True),
        sa.Column("first_name", sa.String(length=100), nullable=True),
        sa.Column("last_name", sa.String(length=100), nullable=True),
        sa.Column("email", sa.String(length=200), nullable=True),
        sa.Column("phone", sa.String(length=100), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("xp", sa.JSON(), nullable=True),
        sa.Column("failed_login_attempts", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("password_last_set", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["marketplace_id"],
            ["marketplaces.id"],
            name=op.f("fk_users_marketplace_id_marketplaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint(
            "marketplace_id", "user_type", "company_id", "external_id", name="uq_users_party_id"
        ),
        sa.UniqueConstraint("marketplace_id", "username_key", name="uq_users_username"),
    )
    op.create_table(
        "api_client_assignments",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("marketplace_id", sa.String(length=100), nullable=False),
        sa.Column("api_client_id", sa.String(length=36), nullable=False),
        sa.Column("buyer_id", sa.String(length=100), nullable=False),
        sa.Column("supplier_id", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["api_client_id"],
            ["api_clients.id"],
            name=op.f("fk_api_client_assignments_api_client_id_api_clients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_client_assignments")),
        sa.UniqueConstraint(
            "api_client_id", "buyer_id", "supplier_id", name="uq_api_client_assignment"
        ),
    )
    with op.batch_alter_table("api_client_assignments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_api_client_assignments_marketplace_id"), ["marketplace_id"], unique=False
        )

    op.create_table(
        "security_profile_assignments",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("marketplace_id", sa.String(length=100), nullable=False),
        sa.Column("security_profile_id", sa.String(length=100), nullable=False),
        sa.Column("buyer_id", sa.String(length=100), nullable=False),
        sa.Column("supplier_id", sa.String(length=100), nullable=False),
        sa.Column("user_id", sa.String(length=100), nullable=False),
        sa.Column("user_group_id", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["marketplace_id", "security_profile_id"],
            ["security_profiles.marketplace_id", "security_profiles.id"],
            name="fk_security_profile_assignments_profile",
            ondelete="CASCADE",
            onupdate="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_security_profile_assignments")),
        sa.UniqueConstraint(
            "marketplace_id",
            "security_profile_id",
            "buyer_id",
            "supplier_id",
            "user_id",
            "user_group_id",
            name="uq_security_profile_assignment",
        ),
    )
    with op.batch_alter_table("security_profile_assignments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_security_profile_assignments_marketplace_id"),
            ["marketplace_id"],
            unique=False,
        )


def downgrade() -> None:

    with op.batch_alter_table("security_profile_assignments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_security_profile_assignments_marketplace_id"))

    op.drop_table("security_profile_assignments")
    with op.batch_alter_table("api_client_assignments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_client_assignments_marketplace_id"))

    op.drop_table("api_client_assignments")
    op.drop_table("users")
    op.drop_table("suppliers")
    op.drop_table("security_profiles")
    op.drop_table("buyers")
    with op.batch_alter_table("api_clients", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_clients_marketplace_id"))

    op.drop_table("api_clients")
    op.drop_table("signing_keys")
    op.drop_table("marketplaces")
