"""Whether a correctly signed, unexpired access token still stands (spec §3.11, §4.5).

A signature proves who was given the token; it cannot say whether that grant still holds.
Deactivating or deleting the token's client, user, company or marketplace, and revoking a
user's tokens, must stop tokens already issued (decisions.md). These rules decide that from
the current state of those subjects, which the caller loads (and caches) however it likes.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

from gatehouse.domain.tokens import revoked_by
from gatehouse.domain.users import UserType


class Standing(Enum):
    VALID = "valid"
    INVALID = "invalid"  # a subject is gone or inactive: InvalidToken
    REVOKED = "revoked"  # issued before the user's revocation threshold: Auth.TokenRevoked


@dataclass(frozen=True, slots=True)
class ClientState:
    """A client and its marketplace, as token verification needs them."""

    client_id: str
    marketplace_id: str
    active: bool
    marketplace_active: bool
    tokens_valid_from: int = 0
    """Tokens issued through the client before it are refused (incident response)."""
    allowed_origins: tuple[str, ...] = ()
    """Browser origins the client serves (Gatehouse's own); empty: any the deployment allows."""


@dataclass(frozen=True, slots=True)
class UserState:
    """A user as token verification needs it. ``company_id`` is ``None`` for admin users."""

    internal_id: int
    marketplace_id: str
    username: str
    user_type: UserType
    company_id: str | None
    active: bool
    tokens_valid_from: int


@dataclass(frozen=True, slots=True)
class CompanyKey:
    marketplace_id: str
    user_type: UserType
    company_id: str


def token_standing(
    claims: dict[str, Any],
    client: ClientState | None,
    user: UserState | None,
    company_active: bool | None,
    impersonator: Impersonator | None = None,
) -> Standing:
    """Decide from the token's claims and its subjects' current state.

    ``user`` is the user named by ``u`` (or, for anonymous tokens, the template user named by
    ``usr``); ``company_active`` is ``None`` when the user has no company or it is gone.
    Renaming a user keeps their tokens (as changing a username does in Keycloak). A numeric
    id that SQLite reuses after a delete cannot revive a deleted user's tokens: a new user's
    revocation threshold starts at its creation second.
    """
    if client is None or not client.active or not client.marketplace_active:
        return Standing.INVALID
    if user is None or user.marketplace_id != client.marketplace_id or not user.active:
        return Standing.INVALID
    if claims.get("usrtype") != user.user_type.value:
        return Standing.INVALID
    if user.company_id is not None and company_active is not True:
        return Standing.INVALID
    if "imp" in claims:
        standing = _impersonator_standing(claims, client, impersonator)
        if standing is not Standing.VALID:
            return standing
    if revoked_by(claims, client.tokens_valid_from):
        return Standing.REVOKED
    if "u" in claims and revoked_by(claims, user.tokens_valid_from):
        return Standing.REVOKED
    return Standing.VALID


@dataclass(frozen=True, slots=True)
class Impersonator:
    """The user named by an impersonation token's ``imp`` claim, and their company's state."""

    user: UserState | None
    company_active: bool | None


def _impersonator_standing(
    claims: dict[str, Any], client: ClientState, impersonator: Impersonator | None
) -> Standing:
    """An impersonation token lives only as long as its impersonator could still act: a
    deactivated, deleted or revoked impersonator ends every token they minted (spec §3.10)."""
    found = impersonator.user if impersonator is not None else None
    if found is None or found.marketplace_id != client.marketplace_id or not found.active:
        return Standing.INVALID
    if found.company_id is not None and (impersonator is None or not impersonator.company_active):
        return Standing.INVALID
    if revoked_by(claims, found.tokens_valid_from):
        return Standing.REVOKED
    return Standing.VALID


def company_key(user: UserState) -> CompanyKey | None:
    if user.company_id is None:
        return None
    return CompanyKey(user.marketplace_id, user.user_type, user.company_id)
