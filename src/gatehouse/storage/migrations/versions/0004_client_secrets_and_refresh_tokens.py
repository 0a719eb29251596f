"""client secrets and refresh tokens

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 22:22:15.768039

NOTE: migrations run while older processes may still serve: do not hold long locks, and keep
the schema compatible with the previous release. Every migration must run on SQLite (batch
mode) and PostgreSQL; the test suite runs them on both.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "api_client_secrets",
        sa.Column("api_client_id", sa.String(length=36), nullable=False),
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("marketplace_id", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("secret_sha256", sa.String(length=64), nullable=False),
        sa.Column("expiration", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["api_client_id"],
            ["api_clients.id"],
            name=op.f("fk_api_client_secrets_api_client_id_api_clients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("api_client_id", "id", name=op.f("pk_api_client_secrets")),
    )
    op.create_table(
        "refresh_tokens",
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("marketplace_id", sa.String(length=100), nullable=False),
        sa.Column("api_client_id", sa.String(length=36), nullable=False),
        sa.Column("user_internal_id", sa.Integer(), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["api_client_id"],
            ["api_clients.id"],
            name=op.f("fk_refresh_tokens_api_client_id_api_clients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_internal_id"],
            ["users.id"],
            name=op.f("fk_refresh_tokens_user_internal_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token_sha256", name=op.f("pk_refresh_tokens")),
    )
    with op.batch_alter_table("refresh_tokens", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_refresh_tokens_api_client_id"), ["api_client_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_refresh_tokens_expires_at"), ["expires_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_refresh_tokens_user_internal_id"), ["user_internal_id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("refresh_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_refresh_tokens_user_internal_id"))
        batch_op.drop_index(batch_op.f("ix_refresh_tokens_expires_at"))
        batch_op.drop_index(batch_op.f("ix_refresh_tokens_api_client_id"))

    op.drop_table("refresh_tokens")
    op.drop_table("api_client_secrets")
