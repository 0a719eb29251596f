"""Impersonation: who may get a token as which buyer user, through which client, with which
roles (spec §3.10). Pure rules; the service and the token module supply the facts.

An ImpersonationConfig has two sides. The *impersonator* side (``Impersonation*ID``) names
who may impersonate: ``ImpersonationBuyerID`` empty means seller (admin) users, optionally
narrowed to one admin user or admin group; otherwise that buyer's users, optionally narrowed
to one of its users or groups. The *impersonatee* side (``BuyerID``/``GroupID``/``UserID``)
names whom: empty ``BuyerID`` means any buyer the client may serve. An empty ID matches
everything on its side; a set one must match.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from gatehouse.domain.errors import (
    ConflictError,
    InvalidInputError,
    RequiredFieldError,
)
from gatehouse.domain.ids import is_valid_id, normalize_client_id
from gatehouse.domain.roles import (
    API_ROLE_NAMES,
    MAX_CUSTOM_ROLE_LENGTH,
    ClientRoleLimits,
    RoleSet,
)
from gatehouse.domain.users import UserType

OBJECT_TYPE = "ImpersonationConfig"
MAX_NAME_LENGTH = 100
MAX_CLIENT_ID_LENGTH = 36
MAX_REQUESTED_ROLES = 200

PARTY_FIELDS = (
    ("impersonation_buyer_id", "ImpersonationBuyerID"),
    ("impersonation_group_id", "ImpersonationGroupID"),
    ("impersonation_user_id", "ImpersonationUserID"),
    ("buyer_id", "BuyerID"),
    ("group_id", "GroupID"),
    ("user_id", "UserID"),
)


@dataclass(frozen=True, slots=True)
class ImpersonationConfig:
    """One config; ``None`` for an unset party ID."""

    id: str
    security_profile_id: str
    client_id: str
    name: str | None = None
    impersonation_buyer_id: str | None = None
    impersonation_group_id: str | None = None
    impersonation_user_id: str | None = None
    buyer_id: str | None = None
    group_id: str | None = None
    user_id: str | None = None

    def conflict_key(self) -> tuple[str, ...]:
        """Two configs conflict when they name the same client, security profile, impersonator
        and impersonatee (the .NET SDK's description of
        ``ImpersonationConfig.ConflictingImpersonationConfigExists``)."""
        return (
            self.client_id,
            self.security_profile_id,
            *(getattr(self, name) or "" for name, _ in PARTY_FIELDS),
        )


def _invalid_id(field: str) -> InvalidInputError:
    return InvalidInputError(
        message=f"{field} may contain only letters, digits, - and _, up to 100 characters.",
        data={"Field": field},
    )


def build_config(config_id: str, fields: Mapping[str, Any]) -> ImpersonationConfig:
    """Validate a whole config (POST/PUT body, or a PATCH merged onto the stored one).

    ``SecurityProfileID`` and ``ClientID`` are required. A group or user on the impersonatee
    side needs its ``BuyerID`` (impersonatees are always buyer users). A side may name a group
    or a user, not both (as for security profile assignments).
    """
    if not is_valid_id(config_id):
        raise _invalid_id("ID")
    return ImpersonationConfig(
        id=config_id,
        name=_valid_name(fields.get("name") or None),
        security_profile_id=_valid_profile_id(fields.get("security_profile_id") or ""),
        client_id=_valid_client_id(fields.get("client_id") or ""),
        **_valid_parties(fields),
    )


def _valid_name(name: str | None) -> str | None:
    if name is not None and len(name) > MAX_NAME_LENGTH:
        raise InvalidInputError(
            message="Name may not exceed 100 characters.", data={"Field": "Name"}
        )
    return name


def _valid_profile_id(profile_id: str) -> str:
    if not profile_id:
        raise RequiredFieldError("SecurityProfileID")
    if not is_valid_id(profile_id):
        raise _invalid_id("SecurityProfileID")
    return profile_id


def _valid_client_id(raw: str) -> str:
    client_id = normalize_client_id(raw)
    if not client_id:
        raise RequiredFieldError("ClientID")
    if len(client_id) > MAX_CLIENT_ID_LENGTH:
        raise InvalidInputError(message="ClientID is not valid.", data={"Field": "ClientID"})
    return client_id


def _valid_parties(fields: Mapping[str, Any]) -> dict[str, str | None]:
    """Both sides' company, group and user IDs: valid IDs, a group or a user per side, and a
    buyer for an impersonatee group or user."""
    parties: dict[str, str | None] = {}
    for name, wire in PARTY_FIELDS:
        value = fields.get(name) or None
        if value is not None and not is_valid_id(value):
            raise _invalid_id(wire)
        parties[name] = value
    for group, user in (
        ("impersonation_group_id", "impersonation_user_id"),
        ("group_id", "user_id"),
    ):
        if parties[group] and parties[user]:
            raise InvalidInputError(
                "PartyAssignment.CannotSpecifyGroupAndUser",
                "An impersonation config side may name a user or a user group, not both.",
            )
    if (parties["group_id"] or parties["user_id"]) and not parties["buyer_id"]:
        raise RequiredFieldError("BuyerID")
    return parties


def conflicting(
    config: ImpersonationConfig, others: Collection[ImpersonationConfig]
) -> ImpersonationConfig | None:
    """Another config (not ``config`` itself) with the same conflict key, if any."""
    key = config.conflict_key()
    return next((o for o in others if o.id != config.id and o.conflict_key() == key), None)


def conflict_error(existing: ImpersonationConfig) -> ConflictError:
    return ConflictError(
        "ImpersonationConfig.ConflictingImpersonationConfigExists",
        "An ImpersonationConfig already exists for this combination of ApiClient, "
        "SecurityProfile, Impersonator, and Impersonatee.",
        {"ObjectType": OBJECT_TYPE, "ObjectID": existing.id},
    )


# --- the impersonation token request ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Party:
    """A user on one side of an impersonation: its type, its company (``None`` for a seller
    user), its own ID and the IDs of the groups it belongs to (in its own company)."""

    user_type: UserType
    company_id: str | None
    user_id: str
    group_ids: frozenset[str] = frozenset()


def config_error() -> InvalidInputError:
    return InvalidInputError(
        "Impersonation.ConfigError",
        "No Impersonation Config exists for the requested Buyer ID and API client ID or there "
        "are no roles assigned to the SecurityProfile. Check your configuration and try again.",
    )


def client_not_found() -> InvalidInputError:
    return InvalidInputError(
        "Impersonation.ClientIDNotFound", "Client ID not found or you do not have access to it."
    )


def buyer_not_assigned(buyer_id: str) -> InvalidInputError:
    return InvalidInputError(
        "Impersonation.BuyerNotAssigned",
        "Buyer is not assigned to the API client.",
        {"BuyerID": buyer_id},
    )


def _matches(required: str | None, actual: str | None) -> bool:
    return not required or required == actual


def impersonator_matches(config: ImpersonationConfig, caller: Party) -> bool:
    """Whether ``caller`` is on the config's impersonator side.

    Seller users match configs without ``ImpersonationBuyerID``; buyer users match configs
    naming their own buyer (since OrderCloud v66 they may then impersonate other buyers'
    users). Supplier users never match: configs have no supplier side.
    """
    if caller.user_type is UserType.ADMIN:
        if config.impersonation_buyer_id:
            return False
    elif caller.user_type is UserType.BUYER:
        if not caller.company_id or config.impersonation_buyer_id != caller.company_id:
            return False
    else:
        return False
    group = config.impersonation_group_id
    return _matches(config.impersonation_user_id, caller.user_id) and (
        not group or group in caller.group_ids
    )


def impersonatee_buyer_matches(config: ImpersonationConfig, buyer_id: str) -> bool:
    """The buyer-level part of the impersonatee side, checkable before the user is looked
    up (so a caller without any config for that buyer learns nothing about its users)."""
    return _matches(config.buyer_id, buyer_id)


def impersonatee_matches(config: ImpersonationConfig, target: Party) -> bool:
    return (
        impersonatee_buyer_matches(config, target.company_id or "")
        and _matches(config.user_id, target.user_id)
        and (not config.group_id or config.group_id in target.group_ids)
    )


@dataclass(frozen=True, slots=True)
class TokenRequest:
    """``ImpersonateTokenRequest``: the client and the roles asked for."""

    client_id: str
    roles: frozenset[str]
    custom_roles: frozenset[str]


def parse_token_request(
    client_id: str | None, roles: list[str] | None, custom_roles: list[str] | None
) -> TokenRequest:
    """``ClientID`` and ``Roles`` are required (OrderCloud v1.0.144 made a missing ``Roles`` a
    validation error); ``Roles`` must be ApiRole names. An empty ``Roles`` list is allowed: the
    custom roles alone may be asked for."""
    if not client_id or not client_id.strip():
        raise RequiredFieldError("ClientID")
    if len(client_id) > MAX_CLIENT_ID_LENGTH:
        raise InvalidInputError(message="ClientID is not valid.", data={"Field": "ClientID"})
    if roles is None:
        raise RequiredFieldError("Roles")
    custom = custom_roles or []
    if len(roles) > MAX_REQUESTED_ROLES or len(custom) > MAX_REQUESTED_ROLES:
        raise InvalidInputError(message="Too many roles requested.", data={"Field": "Roles"})
    unknown = sorted({r for r in roles if r not in API_ROLE_NAMES})
    if unknown:
        raise InvalidInputError(
            message="Roles contains invalid roles.",
            data={"Field": "Roles", "InvalidRoles": unknown},
        )
    if any(not c.strip() or len(c) > MAX_CUSTOM_ROLE_LENGTH for c in custom):
        raise InvalidInputError(
            message="CustomRoles contains an invalid role.", data={"Field": "CustomRoles"}
        )
    return TokenRequest(normalize_client_id(client_id), frozenset(roles), frozenset(custom))


def impersonation_roles(
    request: TokenRequest, profiles: Collection[RoleSet], limits: ClientRoleLimits
) -> frozenset[str]:
    """The token's roles: what was requested ∩ the matching configs' profiles (their union,
    when several configs match) ∩ the client's maximum. Like every grant, ``FullAccess`` is
    one role among others here: a profile holding it grants ``FullAccess`` if requested, not
    every other role. Empty → ``Impersonation.ConfigError``; the client's minimum required
    roles must be among the result, as at login.
    """
    offered: frozenset[str] = frozenset()
    for profile in profiles:
        offered |= profile.all
    granted = (request.roles | request.custom_roles) & offered
    ceiling = limits.maximum
    if ceiling is not None:
        granted &= ceiling
    if not granted:
        raise config_error()
    missing = limits.minimum - granted
    if missing:
        raise InvalidInputError(
            "Auth.InsufficientRoles",
            "The impersonation token would lack roles this API client requires.",
            {"MissingRoles": sorted(missing)},
        )
    return granted
