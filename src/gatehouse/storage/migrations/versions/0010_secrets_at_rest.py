"""secrets at rest: mark existing secrets for encryption; signing key activation time

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 04:00:00

A migration does not know the deployment's key-encryption key, so it does not encrypt. It
widens ``api_clients.client_secret`` to TEXT (an encrypted value is longer than the 1000
characters a secret may have) and prefixes every existing private key and legacy secret with
``plain:``, which marks it unambiguously as not yet encrypted. The server (at every start) or
``gatehouse keys rewrap`` then encrypts those values with the configured key
(``gatehouse.storage.sealing``).

It also adds ``signing_keys.activates_at``: a rotated key is published at once and signs only
from that moment (NULL: since it was created, as every existing key).

Downgrading decrypts with the key found in the environment (``GATEHOUSE_ENCRYPTION_KEY``,
``_FILE`` or the SQLite default key file): the previous release reads only plain values.

NOTE: migrations run while older processes may still serve: do not hold long locks, and keep
the schema compatible with the previous release. Every migration must run on SQLite (batch
mode) and PostgreSQL; the test suite runs them on both.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = (
    ("signing_keys", "kid", "private_key_pem", "signing_keys.private_key_pem:"),
    ("api_clients", "id", "client_secret", "api_clients.client_secret:"),
)


def upgrade() -> None:
    with op.batch_alter_table("signing_keys") as batch:
        batch.add_column(sa.Column("activates_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("api_clients") as batch:
        batch.alter_column("client_secret", existing_type=sa.String(length=1000), type_=sa.Text())
    for table, _id, column, _purpose in _COLUMNS:
        op.execute(
            f"UPDATE {table} SET {column} = 'plain:' || {column} "  # noqa: S608 (constants)
            f"WHERE {column} IS NOT NULL AND {column} <> '' "
            f"AND {column} NOT LIKE 'plain:%' AND {column} NOT LIKE 'enc:v1:%'"
        )


def downgrade() -> None:
    from gatehouse.crypto_at_rest import SecretBox

    bind = op.get_bind()
    box: SecretBox | None = None
    for table, id_column, column, purpose in _COLUMNS:
        rows = bind.execute(
            sa.text(
                f"SELECT {id_column}, {column} FROM {table} "  # noqa: S608 (constants)
                f"WHERE {column} LIKE 'plain:%' OR {column} LIKE 'enc:v1:%'"
            )
        ).all()
        for row_id, value in rows:
            if value.startswith("plain:"):
                plain = value[len("plain:") :]
            else:
                if box is None:
                    box = SecretBox.from_environment(bind.engine.url.render_as_string(False))
                plain = box.decrypt(value, purpose=purpose + row_id)
            bind.execute(
                sa.text(f"UPDATE {table} SET {column} = :v WHERE {id_column} = :id"),  # noqa: S608
                {"v": plain, "id": row_id},
            )
    with op.batch_alter_table("api_clients") as batch:
        batch.alter_column("client_secret", existing_type=sa.Text(), type_=sa.String(length=1000))
    with op.batch_alter_table("signing_keys") as batch:
        batch.drop_column("activates_at")
