"""Named API client secrets (spec §1.2, decisions.md "Secrets"): the rules that need no
database. At most ten per client, a required name, an optional expiry that must lie in the
future when set, and a server-made value that is shown once and stored only as SHA-256."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from gatehouse.domain.errors import (
    ConflictError,
    IdExistsError,
    InvalidInputError,
    RequiredFieldError,
)
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


NO_SECRET_TO_ROTATE = "ApiClientSecret.NoSecretToRotate"
ANON_BUYER_CLIENT = "ApiClientSecret.RotateAnonBuyerClient"


def check_rotatable(*, has_secret: bool, is_anon_buyer: bool, add_secret: bool) -> None:
    """A rotation replaces a secret systems already send. On a client without one it would
    *add* the first secret, and from that moment every request without a secret (every
    shopper of a storefront, every SPA login) fails with ``Auth.InvalidClientSecret``: the
    overlap keeps nothing working because there was nothing to keep. An anonymous-buyer
    client is a browser's client, which cannot keep a secret. Both are refused unless the
    caller says explicitly that adding a secret is what they want (``add_secret``)."""
    if add_secret:
        return
    data = {"HasSecret": has_secret, "IsAnonBuyer": is_anon_buyer, "Override": "AddSecret"}
    if is_anon_buyer:
        raise ConflictError(
            ANON_BUYER_CLIENT,
            "This is an anonymous-buyer (IsAnonBuyer) client: storefront shoppers use it "
            "without a secret, and they would all be refused once it has one. Send "
            "AddSecret: true (CLI: --add-secret) if you really want it to require a secret.",
            data,
        )
    if not has_secret:
        raise ConflictError(
            NO_SECRET_TO_ROTATE,
            "This client has no secret to rotate: adding one makes every request that sends "
            "none (SPA logins, refresh) fail with Auth.InvalidClientSecret at once. Send "
            "AddSecret: true (CLI: --add-secret) if you really want it to require a secret.",
            data,
        )
