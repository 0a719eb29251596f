"""Typed settings from options or ``GATEHOUSE_*`` environment variables.

Nothing here is built at import time: ``create_app(settings)`` and the CLI construct
``Settings`` so tests can vary them freely.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SQLITE_FILE = "gatehouse.db"
DEFAULT_MAX_JSON_DEPTH = 64
DEFAULT_MAX_HEADER_BYTES = 32_768
DEFAULT_MAX_HEADER_COUNT = 100


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
    purge_interval_seconds: float = Field(default=3600.0, ge=0)
    """How often each server process deletes abandoned anonymous orders, spent anonymous
    tokens and dead refresh tokens; 0 disables (run ``gatehouse purge`` instead)."""
    max_token_lifetime_minutes: int = Field(default=86400, ge=10)
    """How long a retired key stays published: the longest lifetime any token may have
    (AnonymousTokenDuration allows up to 86400 minutes)."""
    audit_retention_days: int = Field(default=90, ge=1, le=3650)
    """Audit events older than this are deleted (background task, ``gatehouse audit purge``)."""
    audit_flush_seconds: float = Field(default=1.0, gt=0, le=3600)
    """Buffered token audit events are written at least this often (a crash loses at most
    this much of them)."""
    audit_flush_events: int = Field(default=500, ge=1, le=1_000_000)
    """...or as soon as this many are buffered."""
    redis_url: str = ""
    """Rate-limit counters in Redis (shared by every process) instead of in each process."""
    redis_key_prefix: str = Field(default="gatehouse:", max_length=100)
    failed_passwords_per_hour: int = Field(default=100, ge=1, le=100)
    """Failed password attempts allowed per username per sliding hour (ASVS 2.2.1: ≤ 100)."""
    metrics_token: str | None = Field(default=None, min_length=16, max_length=1000)
    """When set, ``/metrics`` answers only requests bearing ``Authorization: Bearer <it>``."""
    usage_flush_seconds: float = Field(default=5.0, gt=0, le=3600)
    """How often each process stores its per-client usage counts (the most a crash loses)."""
    usage_retention_days: int = Field(default=14, ge=1, le=3660)
    """Per-minute usage rows older than this are deleted."""
    review_access_token_minutes: int = Field(default=60, ge=10)
    """Configuration review: AccessTokenDuration above this is "long" on high-access clients."""
    review_refresh_token_minutes: int = Field(default=1440, ge=0)
    """Configuration review: RefreshTokenDuration above this is "long" on high-access clients."""
    review_idle_days: int = Field(default=30, ge=1, le=3650)
    """Configuration review: an active client unused for longer is reported."""

    # Hardening (issue 10): bounds on what a request may carry, and who may read /metrics.
    max_json_depth: int = Field(default=DEFAULT_MAX_JSON_DEPTH, ge=2, le=1000)
    """Request bodies nested deeper than this (arrays and objects) get 400 ValidationFailure."""
    max_header_bytes: int = Field(default=DEFAULT_MAX_HEADER_BYTES, ge=1024, le=1_048_576)
    """The request line and headers of one request together; more gets 431 (``serve``)."""
    max_header_count: int = Field(default=DEFAULT_MAX_HEADER_COUNT, ge=10, le=10_000)
    """Headers per request; more gets 431 (``serve``)."""
    metrics_public: bool = False
    """Serve ``/metrics`` without ``GATEHOUSE_METRICS_TOKEN`` even when not bound to loopback
    (behind a network that only lets Prometheus in)."""

    @field_validator("base_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: str) -> str:
        if value and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("GATEHOUSE_REDIS_URL must be a redis://, rediss:// or unix:// URL")
        return value

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
