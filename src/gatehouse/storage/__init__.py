"""Storage: SQLAlchemy models, queries and Alembic migrations. Models never leave here."""
