"""Configuration review: risky API client configurations, each with its reason and its fix
(issue 5 point 6; docs/operations.md "Configuration review").

Pure rules over facts the service loads in a fixed number of queries. Each rule has a stable
``Risk`` code; findings are sorted by severity, then app name, client and risk.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from gatehouse.domain.access import ClientAccess
from gatehouse.domain.api_clients import ApiClient
from gatehouse.domain.roles import ApiRole, RoleSet, grant_roles, ordered_roles
from gatehouse.domain.security_profiles import ProfileAssignment

# Roles that administer something beyond the user's own data: FullAccess and every *Admin
# role except the Me* ones (which only touch the caller's own profile, addresses, cards, xp).
HIGH_ACCESS_ROLES: frozenset[str] = frozenset(
    {ApiRole.FullAccess.value}
    | {r.value for r in ApiRole if r.value.endswith("Admin") and not r.value.startswith("Me")}
)
# What an anonymous shopper needs: browse and buy (Shopper), their own profile, addresses,
# cards, subscriptions and xp, and the password-reset flow when they register.
SHOPPER_ROLES: frozenset[str] = frozenset(
    role.value
    for role in (
        ApiRole.Shopper,
        ApiRole.MeAdmin,
        ApiRole.MeAddressAdmin,
        ApiRole.MeCreditCardAdmin,
        ApiRole.MeSubscriptionAdmin,
        ApiRole.MeXpAdmin,
        ApiRole.PasswordReset,
    )
)

API_STANDARD: frozenset[str] = frozenset(role.value for role in ApiRole)


class Severity(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


_SEVERITY_ORDER = {Severity.HIGH: 0, Severity.MEDIUM: 1, Severity.LOW: 2}


class Risk(StrEnum):
    """Stable codes: scripts and alerting may match on them."""

    LONG_ACCESS_TOKEN = "LongAccessTokenDuration"
    LONG_REFRESH_TOKEN = "LongRefreshTokenDuration"
    SECRET_ON_ANONYMOUS_CLIENT = "SecretOnAnonymousClient"
    ANONYMOUS_USER_OVERPRIVILEGED = "AnonymousUserOverprivileged"
    CLIENT_CREDENTIALS_FULL_ACCESS = "ClientCredentialsFullAccessUncapped"
    NO_RECENT_TRAFFIC = "NoRecentTraffic"
    LEGACY_SECRET = "LegacySecret"
    BROWSER_CLIENT_ANY_ORIGIN = "BrowserClientAnyOrigin"
    SELLER_LEVEL_FULL_ACCESS = "SellerLevelFullAccess"


@dataclass(frozen=True, slots=True)
class ReviewThresholds:
    """``GATEHOUSE_REVIEW_*`` settings."""

    access_token_minutes: int = 60
    refresh_token_minutes: int = 1440
    idle_days: int = 30
    deployment_allows_any_origin: bool = True
    """``GATEHOUSE_CORS_ORIGINS`` is ``*`` (the default): a client without its own list of
    allowed origins then serves pages on every site."""


@dataclass(frozen=True, slots=True)
class ClientFacts:
    """One client and what the rules need about it.

    ``reachable_roles``: every role a user of this client could hold (``reachable_roles``);
    ``dcu_roles``: the default context user's AvailableRoles, ``None`` without one (or when it
    does not exist); ``last_used``: the newest recorded use, ``None`` when none is recorded.
    """

    client: ApiClient
    created_at: datetime
    named_secret_count: int = 0
    reachable_roles: frozenset[str] = frozenset()
    dcu_roles: RoleSet | None = None
    last_used: datetime | None = None
    allowed_origins: tuple[str, ...] = ()
    serves_companies: bool = False
    """Buyer or supplier users may sign in through it (AllowAnyBuyer/AllowAnySupplier or an
    assignment): a storefront or supplier app, not only a seller's admin tool."""


@dataclass(frozen=True, slots=True)
class Finding:
    client_id: str
    app_name: str
    risk: Risk
    severity: Severity
    reason: str
    fix: str


def reachable_roles(
    client: ClientAccess,
    assignments: Iterable[ProfileAssignment],
    profiles: dict[str, RoleSet],
    ceiling: frozenset[str] | None,
) -> frozenset[str]:
    """The roles users of this client could get: those of every profile assigned within a
    party the client serves (the seller with ``AllowSeller``, every buyer with
    ``AllowAnyBuyer`` or the assigned ones, the same for suppliers), at any level (party,
    group or user), capped by the client's ``MaximumGranted*``. An over-approximation by
    design: one user who can reach a role through this client is enough to matter."""
    roles: set[str] = set()
    for assignment in assignments:
        if _serves(client, assignment):
            roles |= profiles.get(assignment.security_profile_id, RoleSet()).all
    return frozenset(roles) if ceiling is None else frozenset(roles) & ceiling


def _serves(client: ClientAccess, assignment: ProfileAssignment) -> bool:
    if assignment.buyer_id is not None:
        return client.allow_any_buyer or assignment.buyer_id in client.assigned_buyer_ids
    if assignment.supplier_id is not None:
        return client.allow_any_supplier or assignment.supplier_id in client.assigned_supplier_ids
    return client.allow_seller


def review(
    clients: Iterable[ClientFacts],
    thresholds: ReviewThresholds,
    now: datetime,
    marketplace_findings: Iterable[Finding] = (),
) -> list[Finding]:
    """Every client's findings plus the marketplace-wide ones (``client_id`` empty)."""
    findings = [f for facts in clients for f in review_client(facts, thresholds, now)]
    findings += marketplace_findings
    return sorted(
        findings,
        key=lambda f: (_SEVERITY_ORDER[f.severity], f.app_name, f.client_id, f.risk.value),
    )


def review_client(facts: ClientFacts, thresholds: ReviewThresholds, now: datetime) -> list[Finding]:
    found = [
        *long_token_durations(facts, thresholds),
        *secret_on_anonymous_client(facts),
        *anonymous_user_overprivileged(facts),
        *client_credentials_full_access(facts),
        *no_recent_traffic(facts, thresholds, now),
        *legacy_secret(facts),
        *browser_client_any_origin(facts, thresholds),
    ]
    return found


def _finding(facts: ClientFacts, risk: Risk, severity: Severity, reason: str, fix: str) -> Finding:
    client = facts.client
    return Finding(client.id, client.app_name, risk, severity, reason, fix)


def _names(roles: Collection[str]) -> str:
    return ", ".join(ordered_roles(roles))


def long_token_durations(facts: ClientFacts, thresholds: ReviewThresholds) -> list[Finding]:
    """Long-lived tokens on a client whose users can hold high-access roles: a stolen token
    stays useful for that long (and a refresh token mints new ones). High when FullAccess is
    reachable, medium for other *Admin roles."""
    high = facts.reachable_roles & HIGH_ACCESS_ROLES
    client = facts.client
    if not high:
        return []
    severity = Severity.HIGH if ApiRole.FullAccess.value in high else Severity.MEDIUM
    roles = _names(high)
    found = []
    if client.access_token_duration > thresholds.access_token_minutes:
        found.append(
            _finding(
                facts,
                Risk.LONG_ACCESS_TOKEN,
                severity,
                f"AccessTokenDuration is {client.access_token_duration} minutes (more than "
                f"{thresholds.access_token_minutes}) and users of this client can hold {roles}.",
                f"Set AccessTokenDuration to {thresholds.access_token_minutes} minutes or less "
                "(PATCH /v1/apiclients/{id}), or cap MaximumGrantedRoles.",
            )
        )
    if client.refresh_token_duration > thresholds.refresh_token_minutes:
        found.append(
            _finding(
                facts,
                Risk.LONG_REFRESH_TOKEN,
                severity,
                f"RefreshTokenDuration is {client.refresh_token_duration} minutes (more than "
                f"{thresholds.refresh_token_minutes}) and users of this client can hold {roles}.",
                f"Set RefreshTokenDuration to {thresholds.refresh_token_minutes} minutes or less "
                "(0 issues no refresh tokens), or cap MaximumGrantedRoles.",
            )
        )
    return found


def secret_on_anonymous_client(facts: ClientFacts) -> list[Finding]:
    """An anonymous-buyer client serves browsers, which cannot keep a secret: the secret is
    public the moment it ships, and it lends the client a trust it must not have."""
    client = facts.client
    if not client.is_anon_buyer or not (client.has_legacy_secret or facts.named_secret_count):
        return []
    kinds = [
        kind
        for kind, present in (
            ("a legacy ClientSecret", client.has_legacy_secret),
            (f"{facts.named_secret_count} named secret(s)", facts.named_secret_count),
        )
        if present
    ]
    return [
        _finding(
            facts,
            Risk.SECRET_ON_ANONYMOUS_CLIENT,
            Severity.HIGH,
            f"IsAnonBuyer is true and the client has {' and '.join(kinds)}; a browser cannot "
            "keep a secret.",
            "Delete the secrets (clear ClientSecret; DELETE /v1/apiclients/{id}/secrets/{secretID})"
            " and give server-side integrations their own client.",
        )
    ]


def anonymous_user_overprivileged(facts: ClientFacts) -> list[Finding]:
    """Every anonymous shopper gets the template user's roles (capped by the client's
    maximum), so anything beyond shopping is handed to the whole internet. Custom roles grant
    no API access and are not counted."""
    client = facts.client
    if not client.is_anon_buyer or facts.dcu_roles is None:
        return []
    granted = grant_roles(facts.dcu_roles, None, client.role_limits)
    extra = {role for role in granted if role in API_STANDARD} - SHOPPER_ROLES
    if not extra:
        return []
    return [
        _finding(
            facts,
            Risk.ANONYMOUS_USER_OVERPRIVILEGED,
            Severity.HIGH,
            f"The anonymous template user {client.default_context_username!r} gives every "
            f"anonymous shopper {_names(extra)}, beyond the shopper roles.",
            "Remove those roles from the template user's security profiles, or set "
            "MaximumGrantedRoles to shopper roles (e.g. Shopper, MeAdmin).",
        )
    ]


def client_credentials_full_access(facts: ClientFacts) -> list[Finding]:
    """A client-credentials client (a secret and a default context user, not anonymous)
    whose every token is FullAccess: whoever holds the secret owns the marketplace, with no
    password, lockout or MFA in the way."""
    client = facts.client
    has_secret = client.has_legacy_secret or facts.named_secret_count > 0
    if client.is_anon_buyer or not has_secret or facts.dcu_roles is None:
        return []
    if ApiRole.FullAccess.value not in grant_roles(facts.dcu_roles, None, client.role_limits):
        return []
    return [
        _finding(
            facts,
            Risk.CLIENT_CREDENTIALS_FULL_ACCESS,
            Severity.HIGH,
            f"Client credentials tokens act as {client.default_context_username!r}, who holds "
            "FullAccess, and MaximumGrantedRoles does not cap it: the secret alone grants full "
            "access to the marketplace.",
            "Set MaximumGrantedRoles to the roles the integration needs, or give the default "
            "context user a narrower security profile.",
        )
    ]


def no_recent_traffic(
    facts: ClientFacts, thresholds: ReviewThresholds, now: datetime
) -> list[Finding]:
    """An active client nobody uses is attack surface with no owner watching it. Without a
    recorded use, the client's creation date is the reference."""
    client = facts.client
    reference = facts.last_used or facts.created_at
    if not client.active or now - reference <= timedelta(days=thresholds.idle_days):
        return []
    since = (
        f"last used {facts.last_used.date().isoformat()}"
        if facts.last_used
        else f"no recorded use since it was created on {facts.created_at.date().isoformat()}"
    )
    return [
        _finding(
            facts,
            Risk.NO_RECENT_TRAFFIC,
            Severity.LOW,
            f"The client is active but has had no traffic for more than {thresholds.idle_days} "
            f"days ({since}).",
            "Deactivate it (PATCH /v1/apiclients/{id} with Active false) or delete it if the "
            "system it served is gone.",
        )
    ]


def legacy_secret(facts: ClientFacts) -> list[Finding]:
    """A legacy ``ClientSecret`` is one readable value that cannot expire: rotating it breaks
    every caller at once. Named secrets overlap and expire. (Anonymous clients get
    ``SecretOnAnonymousClient`` instead: their fix is no secret at all.)"""
    client = facts.client
    if not client.has_legacy_secret or client.is_anon_buyer:
        return []
    return [
        _finding(
            facts,
            Risk.LEGACY_SECRET,
            Severity.MEDIUM,
            "The client uses the legacy ClientSecret: one value, readable on GET "
            "/v1/apiclients, that cannot expire or be rotated without downtime.",
            "Create a named secret (POST /v1/apiclients/{id}/secrets), move the integration to "
            "it, then clear ClientSecret (PATCH with ClientSecret null).",
        )
    ]


def browser_client_any_origin(facts: ClientFacts, thresholds: ReviewThresholds) -> list[Finding]:
    """A client a browser app can use (anonymous shopping, or no secret to keep) that lists no
    allowed origins, on a deployment open to every origin: a page on any site can get tokens
    through it (anonymous shoppers of your storefront, your users' logins) and call the API.
    Medium for anonymous clients, which need no password at all; low otherwise.

    A secret-less client only sellers use (the bootstrap admin client, the console's) is not
    flagged: its users hold admin passwords, which a page on another site could replay from its
    own server as well as from a browser, so an origin list would protect nothing; and a fresh
    install passes its own review."""
    client = facts.client
    has_secret = client.has_legacy_secret or facts.named_secret_count > 0
    browser_facing = client.is_anon_buyer or (not has_secret and facts.serves_companies)
    if not browser_facing or facts.allowed_origins:
        return []
    if not thresholds.deployment_allows_any_origin:
        return []
    kind = "IsAnonBuyer is true" if client.is_anon_buyer else "The client has no secret"
    return [
        _finding(
            facts,
            Risk.BROWSER_CLIENT_ANY_ORIGIN,
            Severity.MEDIUM if client.is_anon_buyer else Severity.LOW,
            f"{kind}, so browser apps use it, and it allows every origin: a page on any site "
            "can use it from its visitors' browsers.",
            "List the origins of your storefronts or apps (PUT /gatehouse/apiclients/{id}/origins "
            "or `gatehouse clients origins set`), or narrow GATEHOUSE_CORS_ORIGINS.",
        )
    ]


def seller_level_full_access(
    assignments: Iterable[ProfileAssignment], profiles: dict[str, RoleSet]
) -> list[Finding]:
    """A FullAccess profile assigned at seller level reaches every admin user, including
    every one created later, who then silently holds FullAccess. A fresh marketplace assigns
    it to its bootstrap admin user only (decisions.md "Marketplace bootstrap")."""
    found = []
    for assignment in assignments:
        at_seller = not any(
            (
                assignment.buyer_id,
                assignment.supplier_id,
                assignment.user_id,
                assignment.user_group_id,
            )
        )
        roles = profiles.get(assignment.security_profile_id, RoleSet()).all
        if at_seller and ApiRole.FullAccess.value in roles:
            profile = assignment.security_profile_id
            found.append(
                Finding(
                    "",
                    f"security profile {profile!r}",
                    Risk.SELLER_LEVEL_FULL_ACCESS,
                    Severity.HIGH,
                    f"Security profile {profile!r} grants FullAccess and is assigned at seller "
                    "level: every admin user, including every one created later, holds "
                    "FullAccess.",
                    "Assign it to the admin users (or a seller user group) that need it "
                    "(POST /v1/securityprofiles/assignments with UserID or UserGroupID), then "
                    f"delete the seller-level assignment (DELETE /v1/securityprofiles/{profile}"
                    "/assignments).",
                )
            )
    return found
