"""Typed settings from options or ``GATEHOUSE_*`` environment variables.

Nothing here is built at import time: ``create_app(settings)`` and the CLI construct
``Settings`` so tests can vary them freely.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from gatehouse.domain.origins import OriginPolicy

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

    # Secrets at rest (issue 10 item 6): the key-encryption key, kept outside the database.
    encryption_key: str | None = Field(default=None, repr=False)
    """Base64url of 32 random bytes (``gatehouse keys generate``); wins over the key file."""
    encryption_key_file: str | None = None
    """A file holding the key in the same form. Default on SQLite: ``<database file>.key``."""
    old_encryption_key: str | None = Field(default=None, repr=False)
    """A previous key, used only to decrypt, while ``gatehouse keys rewrap`` moves to the new."""
    # Database outages (issue 10 item 7).
    outage_retry_after_seconds: int = Field(default=5, ge=1, le=3600)
    """``Retry-After`` sent with the 503 answered while the database is unreachable."""

    # Browsers (CORS, issue 9): which origins may call /oauth/token, /v1, /oauth/certs and
    # /.well-known from a page: "*" (any, the default), origins separated by commas or spaces,
    # or empty (off).
    cors_origins: str = Field(default="*", max_length=30_000)

    @field_validator("cors_origins")
    @classmethod
    def _cors_origins(cls, value: str) -> str:
        OriginPolicy.parse(value)  # refuses a malformed list at startup
        return value

    @property
    def cors_policy(self) -> OriginPolicy:
        return OriginPolicy.parse(self.cors_origins)

    # --- single sign-on (issue 14; docs/behaviour.md "Single sign-on") ---
    sso_pkce: bool = True
    """Send a PKCE S256 ``code_challenge`` to the identity provider (harmless to IdPs that
    ignore it)."""
    sso_legacy_email_match: bool = False
    """Configs without IntegrationEventID: sign in the user whose Username is the ID token's
    ``email``, only when ``email_verified`` is true. Off: such configs are refused."""
    sso_state_minutes: int = Field(default=10, ge=1, le=60)
    """How long a ``/ocrplogin`` state waits for the IdP's callback."""
    sso_idp_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    """Timeout of each request to an identity provider (token endpoint, discovery, JWKS)."""
    sso_integration_timeout_seconds: float = Field(default=15.0, gt=0, le=120)
    """Timeout of the ``/createuser`` and ``/syncuser`` calls (never retried)."""
    sso_environment: Literal["Sandbox", "Staging", "Production"] = "Production"
    """The ``Environment`` sent to integration events."""

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
