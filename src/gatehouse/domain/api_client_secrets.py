"""Named API client secrets (spec §1.2, decisions.md "Secrets"): the rules that need no
database. At most ten per client, a required name, an optional expiry that must lie in the
future when set, and a server-made value that is shown once and stored only as SHA-256."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from gatehouse.domain.errors import IdExistsError, InvalidInputError, RequiredFieldError
from gatehouse.domain.ids import is_valid_id

OBJECT_TYPE = "ApiClientSecret"
MAX_SECRETS_PER_CLIENT = 10
MAX_NAME_LENGTH = 100
# 64 random bytes (512 bits) as unpadded base64url: 86 characters that need no escaping in a
# form body. OrderCloud's own values are longer base64 (256 bytes); only the entropy matters.
SECRET_BYTES = 64


@dataclass(frozen=True, slots=True)
class ApiClientSecret:
    """A named secret as the API shows it: never with its value."""

    id: str
    name: str
    expiration: datetime | None = None


@dataclass(frozen=True, slots=True)
class NamedSecretHash:
    """What the token endpoint needs of a named secret: its SHA-256 and its expiry."""

    sha256: str
    expiration: datetime | None

    def is_live(self, now: datetime) -> bool:
        return self.expiration is None or self.expiration > now


def generate_secret_value() -> str:
    return secrets.token_urlsafe(SECRET_BYTES)


def as_utc(value: datetime | None) -> datetime | None:
    """An ``Expiration`` without an offset is read as UTC, as OrderCloud's dates are."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def validate_secret(secret: ApiClientSecret) -> None:
    if not is_valid_id(secret.id):
        raise InvalidInputError(
            message="ID may contain only letters, digits, - and _, up to 100 characters.",
            data={"Field": "ID"},
        )
    if not secret.name or not secret.name.strip():
        raise RequiredFieldError("Name")
    if len(secret.name) > MAX_NAME_LENGTH:
        raise InvalidInputError(
            message=f"Name may not exceed {MAX_NAME_LENGTH} characters.", data={"Field": "Name"}
        )


def check_expiration(expiration: datetime | None, now: datetime) -> None:
    """A secret that is born expired (or moved into the past) would only ever refuse."""
    if expiration is not None and expiration <= now:
        raise InvalidInputError(
            "ApiClientSecret.InvalidExpirationDate",
            "Expiration must be in the future.",
            {"Field": "Expiration"},
        )


def check_room_for_one_more(existing: int) -> None:
    if existing >= MAX_SECRETS_PER_CLIENT:
        raise InvalidInputError(
            "ApiClientSecret.MaximumClientSecretsReached",
            f"An API client may have at most {MAX_SECRETS_PER_CLIENT} secrets.",
            {"MaximumClientSecrets": MAX_SECRETS_PER_CLIENT},
        )


def id_exists(secret_id: str) -> IdExistsError:
    return IdExistsError(OBJECT_TYPE, secret_id)
