"""single sign-on: OpenIdConnect configs, IntegrationEvents, pending states, identity links

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 04:00:00

NOTE: migrations run while older processes may still serve: do not hold long locks, and keep
the schema compatible with the previous release. Every migration must run on SQLite (batch
mode) and PostgreSQL; the test suite runs them on both.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.String(length=100)


def _marketplace_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["marketplace_id"],
        ["marketplaces.id"],
        name=op.f(f"fk_{table}_marketplace_id_marketplaces"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "integration_events",
        sa.Column("marketplace_id", ID, nullable=False),
        sa.Column("id", ID, nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("event_type", sa.String(length=20), nullable=False),
        sa.Column("custom_implementation_url", sa.String(length=2000), nullable=False),
        sa.Column("hash_key", sa.String(length=50), nullable=False),
        sa.Column("elevated_roles", sa.JSON(), nullable=False),
        sa.Column("config_data", sa.JSON(), nullable=True),
        sa.Column("custom_auth_header_name", sa.String(length=100), nullable=True),
        sa.Column("custom_auth_header_value", sa.String(length=2000), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _marketplace_fk("integration_events"),
        sa.PrimaryKeyConstraint("marketplace_id", "id", name=op.f("pk_integration_events")),
    )
    op.create_table(
        "openid_connects",
        sa.Column("marketplace_id", ID, nullable=False),
        sa.Column("id", ID, nullable=False),
        sa.Column("api_client_id", sa.String(length=36), nullable=False),
        sa.Column("connect_client_id", sa.String(length=2000), nullable=False),
        sa.Column("connect_client_secret", sa.Text(), nullable=False),
        sa.Column("app_start_url", sa.String(length=2000), nullable=False),
        sa.Column("authorization_endpoint", sa.String(length=2000), nullable=False),
        sa.Column("token_endpoint", sa.String(length=2000), nullable=False),
        sa.Column("url_encoded", sa.Boolean(), nullable=False),
        sa.Column("integration_event_id", ID, nullable=True),
        sa.Column("call_sync_user", sa.Boolean(), nullable=False),
        sa.Column("additional_scopes", sa.JSON(), nullable=False),
        sa.Column("custom_error_url", sa.String(length=2000), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["api_client_id"],
            ["api_clients.id"],
            name=op.f("fk_openid_connects_api_client_id_api_clients"),
            ondelete="CASCADE",
        ),
        _marketplace_fk("openid_connects"),
        sa.PrimaryKeyConstraint("marketplace_id", "id", name=op.f("pk_openid_connects")),
    )
    op.create_index(op.f("ix_openid_connects_api_client_id"), "openid_connects", ["api_client_id"])
    op.create_index(
        op.f("ix_openid_connects_integration_event_id"),
        "openid_connects",
        ["integration_event_id"],
    )
    op.create_table(
        "sso_states",
        sa.Column("state_sha256", sa.String(length=64), nullable=False),
        sa.Column("marketplace_id", ID, nullable=False),
        sa.Column("config_id", ID, nullable=False),
        sa.Column("browser_sha256", sa.String(length=64), nullable=False),
        sa.Column("nonce", sa.String(length=100), nullable=False),
        sa.Column("code_verifier", sa.String(length=200), nullable=True),
        sa.Column("roles", sa.String(length=4000), nullable=True),
        sa.Column("app_start_path", sa.String(length=2000), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        _marketplace_fk("sso_states"),
        sa.PrimaryKeyConstraint("state_sha256", name=op.f("pk_sso_states")),
    )
    op.create_index(op.f("ix_sso_states_expires_at"), "sso_states", ["expires_at"])
    op.create_table(
        "sso_identity_links",
        sa.Column("marketplace_id", ID, nullable=False),
        sa.Column("issuer", sa.String(length=1000), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("user_internal_id", sa.Integer(), nullable=False),
        sa.Column("config_id", ID, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _marketplace_fk("sso_identity_links"),
        sa.ForeignKeyConstraint(
            ["user_internal_id"],
            ["users.id"],
            name=op.f("fk_sso_identity_links_user_internal_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "marketplace_id", "issuer", "subject", name=op.f("pk_sso_identity_links")
        ),
    )
    op.create_index(
        op.f("ix_sso_identity_links_user_internal_id"),
        "sso_identity_links",
        ["user_internal_id"],
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_sso_identity_links_user_internal_id"), table_name="sso_identity_links")
    op.drop_table("sso_identity_links")
    op.drop_index(op.f("ix_sso_states_expires_at"), table_name="sso_states")
    op.drop_table("sso_states")
    op.drop_index(op.f("ix_openid_connects_integration_event_id"), table_name="openid_connects")
    op.drop_index(op.f("ix_openid_connects_api_client_id"), table_name="openid_connects")
    op.drop_table("openid_connects")
    op.drop_table("integration_events")
