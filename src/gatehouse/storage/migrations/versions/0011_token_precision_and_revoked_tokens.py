"""microsecond revocation thresholds and RFC 7009 revoked access tokens

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 04:10:00

Revocation thresholds (``tokens_valid_from``) move from epoch seconds to epoch microseconds
(issue 10: two revocations within one second must both end every token issued before them),
so their columns become 64-bit and existing values are scaled: a token minted before this
release counts as issued at the start of its second, exactly as before.

NOTE: migrations run while older processes may still serve: do not hold long locks, and keep
the schema compatible with the previous release. Every migration must run on SQLite (batch
mode) and PostgreSQL; the test suite runs them on both.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLES = ("users", "api_clients")


def _postgresql() -> bool:
    # SQLite's INTEGER is already 64-bit; changing its declared type would rebuild the table
    # (and with foreign keys on, a rebuild of ``users`` would cascade-delete its dependents).
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    for table in _TABLES:
        if _postgresql():
            op.alter_column(
                table, "tokens_valid_from", existing_type=sa.Integer(), type_=sa.BigInteger()
            )
        column = sa.column("tokens_valid_from", sa.BigInteger())
        op.execute(sa.table(table, column).update().values(tokens_valid_from=column * 1_000_000))
    op.create_table(
        "revoked_access_tokens",
        sa.Column("jti", sa.String(length=64), nullable=False),
        sa.Column("marketplace_id", sa.String(length=100), nullable=False),
        sa.Column("api_client_id", sa.String(length=36), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["api_client_id"],
            ["api_clients.id"],
            name=op.f("fk_revoked_access_tokens_api_client_id_api_clients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("jti", name=op.f("pk_revoked_access_tokens")),
    )
    op.create_index(
        op.f("ix_revoked_access_tokens_api_client_id"),
        "revoked_access_tokens",
        ["api_client_id"],
    )
    op.create_index(
        op.f("ix_revoked_access_tokens_expires_at"), "revoked_access_tokens", ["expires_at"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_revoked_access_tokens_expires_at"), "revoked_access_tokens")
    op.drop_index(op.f("ix_revoked_access_tokens_api_client_id"), "revoked_access_tokens")
    op.drop_table("revoked_access_tokens")
    for table in _TABLES:
        # Round up: a threshold never moves earlier (a revoked token stays revoked).
        column = sa.column("tokens_valid_from", sa.BigInteger())
        op.execute(
            sa.table(table, column)
            .update()
            .values(tokens_valid_from=(column + 999_999) // 1_000_000)
        )
        if _postgresql():
            op.alter_column(
                table, "tokens_valid_from", existing_type=sa.BigInteger(), type_=sa.Integer()
            )
