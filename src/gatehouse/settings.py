"""Typed settings from options or ``GATEHOUSE_*`` environment variables.

Nothing here is built at import time: ``create_app(settings)`` and the CLI construct
``Settings`` so tests can vary them freely.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SQLITE_FILE = "gatehouse.db"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GATEHOUSE_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    workers: int = Field(default=1, ge=1, le=64)
    database_url: str = ""
    base_url: str = ""
    bootstrap_username: str | None = None
    bootstrap_password: str | None = None
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    key_refresh_seconds: float = Field(default=30.0, gt=0)
    """How often a process looks for a signing key rotated by another process."""
    max_token_lifetime_minutes: int = Field(default=86400, ge=10)
    """How long a retired key stays published: the longest lifetime any token may have
    (AnonymousTokenDuration allows up to 86400 minutes)."""
    review_access_token_minutes: int = Field(default=60, ge=10)
    """Configuration review: AccessTokenDuration above this is "long" on high-access clients."""
    review_refresh_token_minutes: int = Field(default=1440, ge=0)
    """Configuration review: RefreshTokenDuration above this is "long" on high-access clients."""
    review_idle_days: int = Field(default=30, ge=1, le=3650)
    """Configuration review: an active client unused for longer is reported."""

    @field_validator("base_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @property
    def effective_database_url(self) -> str:
        """The SQLAlchemy async URL; a ``postgresql://`` URL selects asyncpg."""
        url = self.database_url or f"sqlite:///{Path.cwd() / DEFAULT_SQLITE_FILE}"
        for plain, driver in (
            ("postgresql://", "postgresql+asyncpg://"),
            ("postgres://", "postgresql+asyncpg://"),
            ("sqlite://", "sqlite+aiosqlite://"),
        ):
            if url.startswith(plain):
                return driver + url[len(plain) :]
        return url

    @property
    def effective_base_url(self) -> str:
        """The public URL, used as the tokens' ``iss`` and ``aud``."""
        return self.base_url or f"http://{self.host}:{self.port}"
