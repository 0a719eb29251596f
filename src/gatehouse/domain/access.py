"""The API-client access decision: may this user get a token through this client?

Spec §3.3–3.4 and decisions.md. Evaluated only after the password has been verified, so a
refusal never tells an unauthenticated caller whether the user exists.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from gatehouse.domain.users import UserIdentity, UserType


@dataclass(frozen=True, slots=True)
class ClientAccess:
    """The parts of an API client that decide who may use it."""

    active: bool
    allow_seller: bool
    allow_any_buyer: bool
    allow_any_supplier: bool
    assigned_buyer_ids: Collection[str] = ()
    assigned_supplier_ids: Collection[str] = ()


@dataclass(frozen=True, slots=True)
class Allowed:
    pass


@dataclass(frozen=True, slots=True)
class Denied:
    """A refusal; ``code`` is the OrderCloud ErrorCode the token endpoint reports."""

    code: str
    message: str


Decision = Allowed | Denied

CLIENT_NOT_ALLOWED = Denied(
    "Auth.ClientNotAllowedForUser",
    "The requested API client is not available for the user provided.",
)
SELLER_NOT_ACTIVE = Denied("Auth.SellerNotActive", "The marketplace is inactive.")
USER_NOT_ACTIVE = Denied("Auth.UserNotActive", "User is not active.")
COMPANY_NOT_ACTIVE = Denied("Auth.CompanyNotActive", "The user's company is not active.")

# Names of the access rules, as ``access_rules`` reports them (and the explain endpoint shows).
MARKETPLACE_ACTIVE = "MarketplaceActive"
CLIENT_ALLOWS_USER = "ClientAllowsUser"
USER_ACTIVE = "UserActive"
COMPANY_ACTIVE = "CompanyActive"


def client_allows_user_type(client: ClientAccess, user: UserIdentity) -> bool:
    """The flag-or-assignment rule. The Allow* flags make assignments irrelevant."""
    if user.user_type is UserType.ADMIN:
        return client.allow_seller
    if user.user_type is UserType.BUYER:
        return client.allow_any_buyer or user.company_id in client.assigned_buyer_ids
    return client.allow_any_supplier or user.company_id in client.assigned_supplier_ids


def access_rules(
    client: ClientAccess, user: UserIdentity, *, marketplace_active: bool
) -> tuple[tuple[str, Denied | None], ...]:
    """Every rule of the access decision, in the order it is decided, each with its refusal
    (``None`` = passed). The token endpoint stops at the first refusal (``decide_access``);
    the explain endpoint shows them all, so both read the very same rules."""
    seller_or_company_active = user.user_type is UserType.ADMIN or user.company_active
    return (
        (MARKETPLACE_ACTIVE, None if marketplace_active else SELLER_NOT_ACTIVE),
        (CLIENT_ALLOWS_USER, None if client_allows_user_type(client, user) else CLIENT_NOT_ALLOWED),
        (USER_ACTIVE, None if user.active else USER_NOT_ACTIVE),
        (COMPANY_ACTIVE, None if seller_or_company_active else COMPANY_NOT_ACTIVE),
    )


def decide_access(
    client: ClientAccess, user: UserIdentity, *, marketplace_active: bool
) -> Decision:
    """Check, in order: marketplace, client flags/assignments, user, company."""
    for _rule, refusal in access_rules(client, user, marketplace_active=marketplace_active):
        if refusal is not None:
            return refusal
    return Allowed()


# The client credentials grant's own refusals (spec §3.9, decisions.md "Grants and tokens").
NO_CLIENT_SECRET = Denied("Auth.InvalidClientSecret", "invalid client secret")
DCU_REQUIRED = Denied(
    "Auth.DefaultContextUserRequired", "Default context user required for client credentials grant"
)

DCU_NOT_FOUND = Denied("Auth.DefaultContextUserNotFound", "Default context user not found.")


def client_credentials_refusal(
    *, is_anon_buyer: bool, has_secret: bool, default_context_username: str | None
) -> Denied | None:
    """Whether a client may use the client credentials grant at all, before its default
    context user is looked up: an anonymous-buyer client needs no secret (the anonymous
    grant; one it has is checked like any other), any other needs one (legacy or named,
    expired or not; decisions.md: no secret, no client credentials); both need a default
    context user (for anonymous clients, the template user)."""
    if not is_anon_buyer and not has_secret:
        return NO_CLIENT_SECRET
    if not default_context_username:
        return DCU_REQUIRED
    return None
