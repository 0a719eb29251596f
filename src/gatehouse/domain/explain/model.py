"""What explaining a token request works with: the facts given, one check's outcome and the
explanation, with the small builders every check uses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from gatehouse.domain.access import (
    ClientAccess,
    Denied,
)
from gatehouse.domain.api_client_secrets import NamedSecretHash
from gatehouse.domain.api_clients import ApiClient
from gatehouse.domain.lockout import LockState
from gatehouse.domain.passwords import PasswordConfig
from gatehouse.domain.roles import (
    ApiRole,
    DropReason,
    RoleSet,
    satisfies,
)
from gatehouse.domain.users import UserIdentity, UserType

MAX_SCOPE_LENGTH = 4096  # the token endpoint's limit on one form field


INVALID_CREDENTIALS = "Auth.InvalidUsernameOrPassword"


NOT_VISIBLE = "not found or not visible to the caller"


class GrantType(StrEnum):
    PASSWORD = "password"
    CLIENT_CREDENTIALS = "client_credentials"
    SSO = "sso"
    """Single sign-on (``/ocrplogin``): no password and no client secret; the client needs an
    OpenIdConnect config; lockout, access rule and roles apply as for a password login."""
    ANONYMOUS = "anonymous"
    """``client_credentials`` on an IsAnonBuyer client: the anonymous shopping grant."""


def resolved_grant(requested: GrantType, is_anon_buyer: bool) -> GrantType:
    """What the token endpoint will run: a ``client_credentials`` request (or ``anonymous``)
    on an IsAnonBuyer client is the anonymous grant; on any other client, client
    credentials."""
    if requested in (GrantType.PASSWORD, GrantType.SSO):
        return requested
    return GrantType.ANONYMOUS if is_anon_buyer else GrantType.CLIENT_CREDENTIALS


def as_context_user(grant_type: GrantType) -> bool:
    """Grants that act as the client's default context user: no password, no lockout."""
    return grant_type in (GrantType.CLIENT_CREDENTIALS, GrantType.ANONYMOUS)


# Roles that let a caller see users of each type; FullAccess sees every user.
USER_READER_ROLES: dict[UserType, tuple[ApiRole, ...]] = {
    UserType.ADMIN: (ApiRole.AdminUserReader, ApiRole.AdminUserAdmin),
    UserType.BUYER: (ApiRole.BuyerUserReader, ApiRole.BuyerUserAdmin),
    UserType.SUPPLIER: (ApiRole.SupplierUserReader, ApiRole.SupplierUserAdmin),
}


def user_visible(caller_roles: frozenset[str], user_type: UserType) -> bool:
    """May a caller learn that a user of this type exists (and its state and roles)? Only with
    the roles that would let them read that user through ``/v1``."""
    return satisfies(caller_roles, USER_READER_ROLES[user_type])


@dataclass(frozen=True, slots=True)
class ExplainClient:
    """The client as the token endpoint sees it: with its marketplace's state, its named
    secrets' hashes and expiries (never a value) and its company assignments."""

    client: ApiClient
    marketplace_active: bool
    named_secrets: tuple[NamedSecretHash, ...] = ()
    assigned_buyer_ids: frozenset[str] = frozenset()
    assigned_supplier_ids: frozenset[str] = frozenset()
    openid_connect_ids: tuple[str, ...] = ()
    """The client's OpenIdConnect configs (single sign-on)."""

    @property
    def has_secret(self) -> bool:
        """As ``ClientRecord.has_secret``: expired named secrets still count."""
        return self.client.has_legacy_secret or bool(self.named_secrets)

    def live_named_secrets(self, now: datetime) -> int:
        return sum(1 for named in self.named_secrets if named.is_live(now))

    @property
    def access(self) -> ClientAccess:
        return ClientAccess(
            active=self.client.active,
            allow_seller=self.client.allow_seller,
            allow_any_buyer=self.client.allow_any_buyer,
            allow_any_supplier=self.client.allow_any_supplier,
            assigned_buyer_ids=self.assigned_buyer_ids,
            assigned_supplier_ids=self.assigned_supplier_ids,
        )


@dataclass(frozen=True, slots=True)
class ExplainUser:
    """What the token endpoint knows of a user after the password: never the password or its
    hash, only whether one is set."""

    identity: UserIdentity
    has_password: bool
    lock: LockState
    password_last_set: datetime | None
    password_config: PasswordConfig
    available: RoleSet


@dataclass(frozen=True, slots=True)
class Check:
    rule: str
    passed: bool | None
    detail: str
    error_code: str | None = None
    decisive: bool = False


@dataclass(frozen=True, slots=True)
class RoleOutcome:
    granted: tuple[str, ...] = ()
    dropped: tuple[tuple[str, DropReason], ...] = ()
    missing_minimum: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Explanation:
    grant_type: GrantType
    would_issue: bool
    checks: tuple[Check, ...]
    roles: RoleOutcome

    @property
    def decisive(self) -> Check | None:
        return next((check for check in self.checks if check.decisive), None)


def pass_check(rule: str, detail: str) -> Check:
    return Check(rule, True, detail)


def fail_check(rule: str, detail: str, code: str) -> Check:
    return Check(rule, False, detail, code)


def refusal_check(rule: str, detail: str, refusal: Denied | None, ok: str) -> Check:
    return pass_check(rule, ok) if refusal is None else fail_check(rule, detail, refusal.code)


def iso(value: datetime | None) -> str:
    return "" if value is None else value.isoformat().replace("+00:00", "Z")


def grant_name(grant_type: GrantType) -> str:
    if grant_type is GrantType.ANONYMOUS:
        return "anonymous grant"
    return "client credentials grant"
