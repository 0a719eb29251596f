"""the admin console's API client of each marketplace

Revision ID: 0015
Revises: 0013
Create Date: 2026-12-07 04:00:00

Marketplaces created before this revision get their console client here (a public client,
``AllowSeller``, no secret), so an upgraded server's console works with no other step.

NOTE: migrations run while older processes may still serve: do not hold long locks, and keep
the schema compatible with the previous release. Every migration must run on SQLite (batch
mode) and PostgreSQL; the test suite runs them on both.
"""

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONSOLE_APP_NAME = "Gatehouse Console"

_api_clients = sa.table(
    "api_clients",
    sa.column("id", sa.String),
    sa.column("marketplace_id", sa.String),
    sa.column("app_name", sa.String),
    sa.column("client_secret", sa.String),
    sa.column("access_token_duration", sa.Integer),
    sa.column("refresh_token_duration", sa.Integer),
    sa.column("anonymous_token_duration", sa.Integer),
    sa.column("allow_any_buyer", sa.Boolean),
    sa.column("allow_any_supplier", sa.Boolean),
    sa.column("allow_seller", sa.Boolean),
    sa.column("is_anon_buyer", sa.Boolean),
    sa.column("active", sa.Boolean),
    sa.column("minimum_required_roles", sa.JSON),
    sa.column("minimum_required_custom_roles", sa.JSON),
    sa.column("maximum_granted_roles", sa.JSON),
    sa.column("maximum_granted_custom_roles", sa.JSON),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("tokens_valid_from", sa.Integer),
)
_console_clients = sa.table(
    "console_clients", sa.column("marketplace_id", sa.String), sa.column("api_client_id", sa.String)
)


def upgrade() -> None:
    op.create_table(
        "console_clients",
        sa.Column("marketplace_id", sa.String(length=100), nullable=False),
        sa.Column("api_client_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["api_client_id"],
            ["api_clients.id"],
            name=op.f("fk_console_clients_api_client_id_api_clients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["marketplace_id"],
            ["marketplaces.id"],
            name=op.f("fk_console_clients_marketplace_id_marketplaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("marketplace_id", name=op.f("pk_console_clients")),
    )
    with op.batch_alter_table("console_clients", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_console_clients_api_client_id"), ["api_client_id"], unique=False
        )
    _add_console_clients()


def _add_console_clients() -> None:
    """One console client for every existing marketplace."""
    bind = op.get_bind()
    marketplace_ids = bind.execute(sa.text("SELECT id FROM marketplaces")).scalars().all()
    now = datetime.now(UTC)
    for marketplace_id in marketplace_ids:
        client_id = str(uuid.uuid4())
        bind.execute(
            _api_clients.insert().values(
                id=client_id,
                marketplace_id=marketplace_id,
                app_name=CONSOLE_APP_NAME,
                client_secret=None,
                access_token_duration=60,
                refresh_token_duration=0,
                anonymous_token_duration=10080,
                allow_any_buyer=False,
                allow_any_supplier=False,
                allow_seller=True,
                is_anon_buyer=False,
                active=True,
                minimum_required_roles=[],
                minimum_required_custom_roles=[],
                maximum_granted_roles=[],
                maximum_granted_custom_roles=[],
                created_at=now,
                tokens_valid_from=0,
            )
        )
        bind.execute(
            _console_clients.insert().values(marketplace_id=marketplace_id, api_client_id=client_id)
        )


def downgrade() -> None:
    """Drops the mapping only: the console clients stay, as ordinary API clients."""
    with op.batch_alter_table("console_clients", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_console_clients_api_client_id"))
    op.drop_table("console_clients")
