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


def client_allows_user_type(client: ClientAccess, user: UserIdentity) -> bool:
    """The flag-or-assignment rule. The Allow* flags make assignments irrelevant."""
    if user.user_type is UserType.ADMIN:
        return client.allow_seller
    if user.user_type is UserType.BUYER:
        return client.allow_any_buyer or user.company_id in client.assigned_buyer_ids
    return client.allow_any_supplier or user.company_id in client.assigned_supplier_ids


def decide_access(
    client: ClientAccess, user: UserIdentity, *, marketplace_active: bool
) -> Decision:
    """Check, in order: marketplace, client flags/assignments, user, company."""
    if not marketplace_active:
        return Denied("Auth.SellerNotActive", "The marketplace is inactive.")
    if not client_allows_user_type(client, user):
        return CLIENT_NOT_ALLOWED
    if not user.active:
        return Denied("Auth.UserNotActive", "User is not active.")
    if user.user_type is not UserType.ADMIN and not user.company_active:
        return Denied("Auth.CompanyNotActive", "The user's company is not active.")
    return Allowed()
