"""Typed settings from flags, ``GATEHOUSE_*`` environment variables and an optional TOML file.

Precedence: flags (keyword arguments) over the environment over the config file
(``--config`` / ``GATEHOUSE_CONFIG``) over the defaults. Every field carries a
``description``: README's settings table is generated from them (``python -m
gatehouse.settings_doc``), and a test fails when the two drift apart.

Nothing here is built at import time: ``create_app(settings)`` and the CLI construct
``Settings`` so tests can vary them freely.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    InitSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from gatehouse.domain.origins import OriginPolicy

DEFAULT_SQLITE_FILE = "gatehouse.db"
CONFIG_ENV = "GATEHOUSE_CONFIG"

DEFAULT_MAX_JSON_DEPTH = 64
DEFAULT_MAX_HEADER_BYTES = 32_768
DEFAULT_MAX_HEADER_COUNT = 100

# argon2id's cost (crypto.PasswordHasher). The default is OWASP's 19 MiB x 2 passes; the floor is
# the cheapest of OWASP's equivalent configurations (7 MiB x 5 passes): at least 7168 KiB and at
# least 35840 KiB x passes. Below it only with GATEHOUSE_PASSWORD_HASH_ALLOW_WEAK (test suites).
DEFAULT_PASSWORD_HASH_MEMORY_KIB = 19456
DEFAULT_PASSWORD_HASH_TIME_COST = 2
FLOOR_PASSWORD_HASH_MEMORY_KIB = 7168
FLOOR_PASSWORD_HASH_WORK = 35840


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="GATEHOUSE_", extra="ignore", use_attribute_docstrings=True
    )

    host: str = Field(default="127.0.0.1", description="The address `serve` listens on.")
    port: int = Field(default=8080, ge=1, le=65535, description="The port `serve` listens on.")
    workers: int = Field(default=1, ge=1, le=64, description="Worker processes of `serve`.")
    database_url: str = Field(
        default="",
        description="`sqlite:///path/file.db` or `postgresql://user@host:5432/db`; unset: "
        "`gatehouse.db` in the current directory. Only `serve` and `db upgrade` create it.",
    )
    base_url: str = Field(
        default="",
        description="The public URL, the tokens' `iss` and `aud`; unset: `http://HOST:PORT`. "
        "Behind a proxy, set it to the public `https://` URL.",
    )
    bootstrap_username: str | None = Field(
        default=None, description="The first marketplace's admin username (unset: `admin`)."
    )
    bootstrap_password: str | None = Field(
        default=None,
        description="The first marketplace's admin password (unset: generated and printed "
        "once). Used only on an empty database.",
    )
    max_body_bytes: int = Field(
        default=1_048_576, ge=1024, description="Largest request body; larger ones get 413."
    )
    key_refresh_seconds: float = Field(
        default=30.0,
        gt=0,
        description="How often a process looks for a signing key rotated by another process.",
    )
    purge_interval_seconds: float = Field(
        default=3600.0,
        ge=0,
        description="How often each server process deletes abandoned anonymous orders, spent "
        "anonymous tokens and dead refresh tokens; 0: never (run `gatehouse purge`).",
    )
    max_token_lifetime_minutes: int = Field(
        default=86400,
        ge=10,
        description="How long a retired signing key stays published: the longest lifetime "
        "any token may have (AnonymousTokenDuration allows up to 86400 minutes).",
    )
    audit_retention_days: int = Field(
        default=90,
        ge=1,
        le=3650,
        description="Audit events older than this are deleted (background task, "
        "`gatehouse audit purge`).",
    )
    audit_flush_seconds: float = Field(
        default=1.0,
        gt=0,
        le=3600,
        description="Buffered token audit events are written at least this often (a crash "
        "loses at most this much of them).",
    )
    audit_flush_events: int = Field(
        default=500,
        ge=1,
        le=1_000_000,
        description="...or as soon as this many token audit events are buffered.",
    )
    redis_url: str = Field(
        default="",
        description="Rate-limit counters in Redis (`redis://host:6379/0`), shared by every "
        "process; unset: counters per process.",
    )
    redis_key_prefix: str = Field(
        default="gatehouse:",
        max_length=100,
        description="Prefix of Gatehouse's Redis keys (to share one Redis between deployments).",
    )
    failed_passwords_per_hour: int = Field(
        default=100,
        ge=1,
        le=100,
        description="Failed password attempts allowed per username per sliding hour "
        "(ASVS 2.2.1: at most 100).",
    )
    metrics_token: str | None = Field(
        default=None,
        min_length=16,
        max_length=1000,
        description="When set (16+ characters), `/metrics` needs `Authorization: Bearer <it>`; "
        "unset: `/metrics` is public.",
    )
    usage_flush_seconds: float = Field(
        default=5.0,
        gt=0,
        le=3600,
        description="How often each process stores its per-client usage counts (the most a "
        "crash loses).",
    )
    usage_retention_days: int = Field(
        default=14, ge=1, le=3660, description="Per-minute usage rows older than this are deleted."
    )
    password_hash_memory_kib: int = Field(
        default=DEFAULT_PASSWORD_HASH_MEMORY_KIB,
        ge=8,
        le=4_194_304,
        description="Memory of each argon2id password hash, in KiB (OWASP: 19456). Below "
        "7168, or below 35840 KiB x passes, is refused unless "
        "`GATEHOUSE_PASSWORD_HASH_ALLOW_WEAK`. Existing hashes keep their own cost.",
    )
    password_hash_time_cost: int = Field(
        default=DEFAULT_PASSWORD_HASH_TIME_COST,
        ge=1,
        le=100,
        description="Passes of each argon2id password hash (OWASP: 2 at 19456 KiB).",
    )
    password_hash_allow_weak: bool = Field(
        default=False,
        description="Accept a password hash cost below OWASP's floor. For test suites only: "
        "it makes stolen hashes cheap to crack.",
    )
    review_access_token_minutes: int = Field(
        default=60,
        ge=10,
        description="Configuration review: AccessTokenDuration above this is long on "
        "high-access clients.",
    )
    review_refresh_token_minutes: int = Field(
        default=1440,
        ge=0,
        description="Configuration review: RefreshTokenDuration above this is long on "
        "high-access clients.",
    )
    review_idle_days: int = Field(
        default=30,
        ge=1,
        le=3650,
        description="Configuration review: an active client unused for longer is reported.",
    )

    # --- Operations (issue 13): config file, logs, reverse proxies ---
    config: str = Field(
        default="",
        description="A TOML file of these settings (lowercase names without the prefix: "
        "`port = 9000`); flags and environment variables override it.",
    )
    log_format: Literal["json", "text"] = Field(
        default="text",
        description="`json`: one JSON object per log line (uvicorn's own included) and one "
        "per request; `text`: the same lines for humans.",
    )
    trusted_proxies: str = Field(
        default="",
        description="Comma-separated addresses or CIDR ranges of reverse proxies whose "
        "`X-Forwarded-For` / `X-Forwarded-Proto` are believed (`*`: any peer); unset: none.",
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Flags over environment over the config file; no ``.env`` or secrets directory."""
        given = init_settings.init_kwargs if isinstance(init_settings, InitSettingsSource) else {}
        path = given.get("config") or os.environ.get(CONFIG_ENV, "")
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if path:
            sources.append(ConfigFileSource(settings_cls, Path(path)))
        return tuple(sources)

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
    cors_origins: str = Field(
        default="*",
        max_length=30_000,
        description="Which browser origins may call `/oauth/token`, `/v1`, `/oauth/certs` and "
        "`/.well-known`: `*` (any), origins separated by commas or spaces, or empty (off). "
        "`/gatehouse/*` is same-origin only.",
    )

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

    @model_validator(mode="after")
    def _password_hash_floor(self) -> Settings:
        """A typo (or a test's environment leaking into production) must not leave every new
        password hash cheap to crack: a cost below OWASP's floor needs the explicit flag."""
        memory, passes = self.password_hash_memory_kib, self.password_hash_time_cost
        weak = memory < FLOOR_PASSWORD_HASH_MEMORY_KIB or memory * passes < FLOOR_PASSWORD_HASH_WORK
        if weak and not self.password_hash_allow_weak:
            raise ValueError(
                f"password hash cost {memory} KiB x {passes} is below OWASP's floor "
                f"({FLOOR_PASSWORD_HASH_MEMORY_KIB} KiB, {FLOOR_PASSWORD_HASH_WORK} KiB x "
                "passes); set GATEHOUSE_PASSWORD_HASH_ALLOW_WEAK=true only in test suites"
            )
        return self

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


class ConfigFileSource(PydanticBaseSettingsSource):
    """The TOML config file: flat keys named like the fields (``database_url = "..."``).
    A missing file, bad TOML or an unknown key is an error, never silently ignored: a typo
    in a config file must not leave a default in force."""

    def __init__(self, settings_cls: type[BaseSettings], path: Path) -> None:
        super().__init__(settings_cls)
        self.path = path
        try:
            with path.open("rb") as handle:
                self.values: dict[str, Any] = tomllib.load(handle)
        except FileNotFoundError as exc:
            raise ValueError(f"config file {path} does not exist") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"config file {path}: {exc}") from exc
        unknown = sorted(set(self.values) - set(settings_cls.model_fields) - {"config"})
        if unknown:
            raise ValueError(f"config file {path}: unknown setting(s) {', '.join(unknown)}")

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return self.values.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return {k: v for k, v in self.values.items() if k != "config"}
