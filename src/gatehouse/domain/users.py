"""User types and the identity facts the access decision needs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class UserType(StrEnum):
    """The ``usrtype`` claim values. A seller (marketplace owner) user is ``admin``."""

    ADMIN = "admin"
    BUYER = "buyer"
    SUPPLIER = "supplier"


@dataclass(frozen=True, slots=True)
class UserIdentity:
    """What the token endpoint knows about a user once the password checked out."""

    internal_id: int
    username: str
    user_type: UserType
    company_id: str | None
    active: bool
    company_active: bool
    tokens_valid_from: int = 0
    """Revocation threshold, epoch seconds: tokens issued before it are refused (spec §3.11)."""


@dataclass(slots=True)
class User:
    """An admin, buyer or supplier user, as the API shows it (never with its password)."""

    id: str
    username: str
    user_type: UserType
    company_id: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None
    active: bool = False
    xp: object = None
    internal_id: int = 0
    date_created: datetime | None = None
    password_last_set: datetime | None = None
    failed_login_attempts: int = 0


MAX_USERNAME_LENGTH = 100
MAX_NAME_LENGTH = 100
MAX_EMAIL_LENGTH = 200
