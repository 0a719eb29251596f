"""Run Alembic migrations programmatically, on either database.

On PostgreSQL an advisory lock serialises concurrent upgrades (several machines starting at
once); SQLite's write lock does the same there.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, text

from gatehouse.storage.db import create_engine, is_sqlite

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
_ADVISORY_LOCK_ID = 0x6761746568  # "gateh"


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


async def upgrade(url: str, revision: str = "head") -> None:
    await _run(url, lambda conn: command.upgrade(alembic_config(conn), revision))


async def downgrade(url: str, revision: str) -> None:
    await _run(url, lambda conn: command.downgrade(alembic_config(conn), revision))


async def _run(url: str, action: object) -> None:
    engine = create_engine(url, immediate=True)  # on SQLite: one BEGIN IMMEDIATE transaction
    try:
        async with engine.connect() as conn:
            if not is_sqlite(url):
                await conn.execute(text(f"SELECT pg_advisory_lock({_ADVISORY_LOCK_ID})"))
            try:
                await conn.run_sync(action)  # type: ignore[arg-type]
                await conn.commit()
            finally:
                if not is_sqlite(url):
                    await conn.execute(text(f"SELECT pg_advisory_unlock({_ADVISORY_LOCK_ID})"))
                    await conn.commit()
    finally:
        await engine.dispose()
