"""Access troubleshooting: would the token endpoint issue a token for this client, user and
scope, and why (issue 5 point 4; docs/operations.md "Troubleshooting access").

Pure: the service loads the same facts the token endpoint loads (through the same token
store) and this module runs the same rules over them: ``access_rules`` (the access decision),
``client_credentials_refusal``, ``is_locked``/``lockout_policy``, ``password_expired``/
``policy_of``, ``grant_roles``/``dropped_roles``/``missing_minimum_roles``. Nothing here can
issue a token, count a failure or see a password: it is never given one.

Checks are listed in the order the token endpoint evaluates them, and every check is shown.
The first failing one is marked ``decisive``: it is the error a request with the right
password (and client secret) would get. ``passed`` is ``None`` for a check that does not
apply (lockout for client credentials) or cannot be evaluated (no visible user).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from gatehouse.domain.access import (
    CLIENT_ALLOWS_USER,
    COMPANY_ACTIVE,
    DCU_NOT_FOUND,
    USER_ACTIVE,
    ClientAccess,
    Denied,
    access_rules,
    client_credentials_refusal,
)
from gatehouse.domain.api_client_secrets import NamedSecretHash
from gatehouse.domain.api_clients import ApiClient
from gatehouse.domain.lockout import UNTIL_UNLOCKED, LockState, is_locked, lockout_policy
from gatehouse.domain.passwords import PasswordConfig, password_expired, policy_of
from gatehouse.domain.roles import (
    ApiRole,
    DropReason,
    RoleSet,
    dropped_roles,
    grant_roles,
    missing_minimum_roles,
    ordered_roles,
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


def _as_context_user(grant_type: GrantType) -> bool:
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


def explain(
    grant_type: GrantType,
    client: ExplainClient,
    user: ExplainUser | None,
    scope: frozenset[str] | None,
    now: datetime,
) -> Explanation:
    """Run every rule; ``user`` is ``None`` when the user does not exist *or* the caller may
    not see it (the two must read the same). For client credentials ``user`` is the default
    context user (for the anonymous grant, the template user)."""
    grant_type = resolved_grant(grant_type, client.client.is_anon_buyer)
    checks = [
        _passed("ClientExists", f"API client {client.client.id} ({client.client.app_name!r})"),
        _secret_check(grant_type, client, now),
        _client_active(client.client),
    ]
    if _as_context_user(grant_type):
        checks.append(_client_credentials_check(grant_type, client))
    if grant_type is GrantType.SSO:
        checks.append(_sso_check(client))
    checks.append(_user_exists(grant_type, client.client, user))
    outcome = RoleOutcome()
    if user is None:
        checks.extend(_unchecked(grant_type))
    else:
        checks.append(_lockout(grant_type, user, now))
        checks.extend(_access_checks(client, user.identity))
        checks.append(_password_policy(grant_type, user, now))
        outcome = _role_outcome(client.client, user.available, scope)
        checks.append(_roles_check(outcome))
        checks.append(_minimum_check(client.client, outcome))
    return _finish(grant_type, checks, outcome)


def _finish(grant_type: GrantType, checks: list[Check], outcome: RoleOutcome) -> Explanation:
    first = next((i for i, check in enumerate(checks) if check.passed is False), None)
    if first is not None:
        checks[first] = replace(checks[first], decisive=True)
    return Explanation(grant_type, first is None, tuple(checks), outcome)


def _passed(rule: str, detail: str) -> Check:
    return Check(rule, True, detail)


def _failed(rule: str, detail: str, code: str) -> Check:
    return Check(rule, False, detail, code)


def _refused(rule: str, detail: str, refusal: Denied | None, ok: str) -> Check:
    return _passed(rule, ok) if refusal is None else _failed(rule, detail, refusal.code)


def _sso_check(client: ExplainClient) -> Check:
    ids = client.openid_connect_ids
    if not ids:
        return _failed(
            "OpenIdConnect",
            "the client has no OpenIdConnect config: /ocrplogin refuses",
            "NotFound",
        )
    return _passed("OpenIdConnect", f"OpenIdConnect config(s): {', '.join(ids)}")


def _secret_check(grant_type: GrantType, client: ExplainClient, now: datetime) -> Check:
    """The secret is never shown or checked (none is given); only whether the client has one
    and whether any could still match."""
    if grant_type is GrantType.SSO:
        return Check("ClientSecret", None, "not applicable: the SSO flow sends no client_secret")
    if not client.has_secret and grant_type is GrantType.ANONYMOUS:
        return _passed(
            "ClientSecret",
            "the client has no secret, as an anonymous-buyer client should: shoppers send none",
        )
    if not client.has_secret:
        needed = (
            "; the client credentials grant needs one"
            if grant_type is GrantType.CLIENT_CREDENTIALS
            else ""
        )
        return _passed(
            "ClientSecret", f"the client has no secret: no client_secret is checked{needed}"
        )
    live = client.live_named_secrets(now)
    kinds = []
    if client.client.has_legacy_secret:
        kinds.append("a legacy ClientSecret")
    if client.named_secrets:
        kinds.append(f"{len(client.named_secrets)} named secret(s), {live} unexpired")
    has = " and ".join(kinds)
    if not client.client.has_legacy_secret and live == 0:
        return _failed(
            "ClientSecret",
            f"the client has {has}: every named secret has expired, so no client_secret can match",
            "Auth.InvalidClientSecret",
        )
    return _passed(
        "ClientSecret", f"the client has {has}: requests must send a matching client_secret"
    )


def _client_active(client: ApiClient) -> Check:
    if client.active:
        return _passed("ClientActive", "the client is active")
    return _failed("ClientActive", "the client is inactive (Active false)", "Auth.ClientNotActive")


def _client_credentials_check(grant_type: GrantType, client: ExplainClient) -> Check:
    refusal = client_credentials_refusal(
        is_anon_buyer=client.client.is_anon_buyer,
        has_secret=client.has_secret,
        default_context_username=client.client.default_context_username,
    )
    if grant_type is GrantType.ANONYMOUS:
        return _refused(
            "AnonymousGrantAllowed",
            refusal.message if refusal else "",
            refusal,
            "the anonymous grant: each token is a new temporary shopper made from the template "
            f"user {client.client.default_context_username!r}, valid for AnonymousTokenDuration "
            f"({client.client.anonymous_token_duration} minutes)",
        )
    return _refused(
        "ClientCredentialsAllowed",
        refusal.message if refusal else "",
        refusal,
        f"the client has a secret and a default context user "
        f"({client.client.default_context_username!r})",
    )


def _user_exists(grant_type: GrantType, client: ApiClient, user: ExplainUser | None) -> Check:
    if _as_context_user(grant_type):
        name = client.default_context_username
        role = "template user" if grant_type is GrantType.ANONYMOUS else "default context user"
        if not name:
            return Check("UserExists", None, f"not checked: the client has no {role}")
        if user is None:
            return _failed("UserExists", f"{role} {name!r} {NOT_VISIBLE}", DCU_NOT_FOUND.code)
        return _passed("UserExists", f"{role} {name!r}: {_who(user.identity)}")
    if user is None:
        return _failed("UserExists", f"user {NOT_VISIBLE}", INVALID_CREDENTIALS)
    if grant_type is GrantType.SSO:
        return _passed("UserExists", f"{_who(user.identity)} (SSO needs no password)")
    if not user.has_password:
        return _failed(
            "UserExists",
            f"{_who(user.identity)} has no password: a password login cannot succeed",
            INVALID_CREDENTIALS,
        )
    return _passed("UserExists", f"{_who(user.identity)} has a password (not shown)")


def _who(identity: UserIdentity) -> str:
    if identity.user_type is UserType.ADMIN:
        return f"seller user {identity.username!r}"
    return f"{identity.user_type.value} user {identity.username!r} of {identity.company_id!r}"


def _unchecked(grant_type: GrantType) -> list[Check]:
    """Every user-dependent rule, unevaluated: the same whether the user is missing or hidden."""
    rules = ["Lockout", "MarketplaceActive", CLIENT_ALLOWS_USER, USER_ACTIVE, COMPANY_ACTIVE]
    rules += ["PasswordPolicy", "Roles", "MinimumRoles"]
    return [Check(rule, None, "not checked: no user") for rule in rules]


def _lockout(grant_type: GrantType, user: ExplainUser, now: datetime) -> Check:
    if _as_context_user(grant_type):
        return Check(
            "Lockout", None, f"not applicable: the {_grant_name(grant_type)} involves no password"
        )
    policy = lockout_policy(user.password_config)
    counted = (
        f"{user.lock.failed_attempts} of {policy.allowed_failed_attempts} allowed failed attempts"
    )
    if is_locked(now, user.lock.locked_until):
        until = user.lock.locked_until
        when = (
            "until an administrator unlocks the user"
            if until == UNTIL_UNLOCKED
            else f"until {_iso(until)}"
        )
        return _failed("Lockout", f"locked {when} ({counted})", "Auth.LockedOut")
    lasts = (
        "until an administrator unlocks"
        if policy.duration is None
        else f"for {int(policy.duration.total_seconds() // 60)} minute(s)"
    )
    return _passed("Lockout", f"not locked: {counted} counted; reaching the limit locks {lasts}")


def _access_checks(client: ExplainClient, identity: UserIdentity) -> list[Check]:
    rules = access_rules(client.access, identity, marketplace_active=client.marketplace_active)
    return [
        _refused(
            rule,
            _access_detail(rule, client, identity, False),
            refusal,
            _access_detail(rule, client, identity, True),
        )
        for rule, refusal in rules
    ]


def _access_detail(rule: str, client: ExplainClient, identity: UserIdentity, ok: bool) -> str:
    if rule == CLIENT_ALLOWS_USER:
        return _flag_detail(client, identity, ok)
    if rule == USER_ACTIVE:
        return "the user is active" if ok else "the user is inactive (Active false)"
    if rule == COMPANY_ACTIVE:
        if identity.user_type is UserType.ADMIN:
            return "seller users belong to no company"
        state = "active" if ok else "inactive"
        return f"{identity.user_type.value} {identity.company_id!r} is {state}"
    return "the marketplace is active" if ok else "the marketplace is inactive"


def _flag_detail(client: ExplainClient, identity: UserIdentity, ok: bool) -> str:
    api_client = client.client
    if identity.user_type is UserType.ADMIN:
        return f"AllowSeller is {str(api_client.allow_seller).lower()}"
    kind = identity.user_type.value
    flag = "AllowAnyBuyer" if identity.user_type is UserType.BUYER else "AllowAnySupplier"
    if getattr(api_client, "allow_any_buyer" if kind == "buyer" else "allow_any_supplier"):
        return f"{flag} is true"
    if ok:
        return f"{flag} is false, but {kind} {identity.company_id!r} is assigned to the client"
    return f"{flag} is false and {kind} {identity.company_id!r} is not assigned to the client"


def _password_policy(grant_type: GrantType, user: ExplainUser, now: datetime) -> Check:
    if _as_context_user(grant_type):
        return Check(
            "PasswordPolicy",
            None,
            f"not applicable: the {_grant_name(grant_type)} involves no password",
        )
    if grant_type is GrantType.SSO:
        return Check("PasswordPolicy", None, "not applicable: SSO involves no password")
    config = user.password_config
    facts = [_policy_text(config)]
    age = config.maximum_password_age
    last = user.password_last_set
    if age is None:
        facts.append("no MaximumPasswordAge")
    elif last is None:
        facts.append(f"MaximumPasswordAge {age} day(s); password date unknown (never expires)")
    else:
        facts.append(
            f"MaximumPasswordAge {age} day(s); set {_iso(last)}, "
            f"expires {_iso(last + timedelta(days=age))}"
        )
    facts.append(
        "the password itself is not checked here: one that no longer meets the policy is "
        "refused with PasswordReset.InsecurePassword"
    )
    detail = "; ".join(facts)
    if password_expired(last, now, config):
        return _failed("PasswordPolicy", f"password expired: {detail}", "Auth.PasswordExpired")
    return _passed("PasswordPolicy", detail)


def _policy_text(config: PasswordConfig) -> str:
    policy = policy_of(config)
    classes = [
        name
        for name, required in (
            ("upper", policy.upper_required),
            ("lower", policy.lower_required),
            ("digit", policy.digit_required),
            ("special", policy.special_required),
        )
        if required
    ]
    text = f"effective policy: at least {policy.minimum_length} characters"
    if classes:
        text += " with " + ", ".join(classes)
    if policy.max_consecutive_duplicates:
        text += f", at most {policy.max_consecutive_duplicates} repeated characters in a row"
    return text


def _role_outcome(
    client: ApiClient, available: RoleSet, scope: frozenset[str] | None
) -> RoleOutcome:
    limits = client.role_limits
    dropped = dropped_roles(available, scope, limits)
    return RoleOutcome(
        granted=tuple(ordered_roles(grant_roles(available, scope, limits))),
        dropped=tuple((role, dropped[role]) for role in ordered_roles(dropped)),
        missing_minimum=tuple(ordered_roles(missing_minimum_roles(available, limits))),
    )


def _roles_check(outcome: RoleOutcome) -> Check:
    """Never refuses: a token without roles is still issued (OrderCloud drops silently)."""
    if not outcome.granted:
        return _passed(
            "Roles",
            f"no role granted ({len(outcome.dropped)} dropped): "
            "the token would carry no role claim",
        )
    return _passed("Roles", f"{len(outcome.granted)} granted, {len(outcome.dropped)} dropped")


def _minimum_check(client: ApiClient, outcome: RoleOutcome) -> Check:
    minimum = ordered_roles(client.role_limits.minimum)
    if not minimum:
        return _passed("MinimumRoles", "the client requires no roles")
    if outcome.missing_minimum:
        return _failed(
            "MinimumRoles",
            "the user lacks roles the client requires: " + ", ".join(outcome.missing_minimum),
            "Auth.InsufficientRoles",
        )
    return _passed(
        "MinimumRoles", "the user holds every role the client requires: " + ", ".join(minimum)
    )


def _iso(value: datetime | None) -> str:
    return "" if value is None else value.isoformat().replace("+00:00", "Z")


def _grant_name(grant_type: GrantType) -> str:
    if grant_type is GrantType.ANONYMOUS:
        return "anonymous grant"
    return "client credentials grant"
