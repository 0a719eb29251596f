"""The ApiClient: who may get a token through it, how, for how long, with which roles.

Field rules follow spec §1.1; defaults where OrderCloud is silent come from decisions.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from gatehouse.domain.errors import InvalidInputError
from gatehouse.domain.roles import API_ROLE_NAMES, MAX_CUSTOM_ROLE_LENGTH, ClientRoleLimits

ACCESS_TOKEN_DURATION_RANGE = (10, 600)  # minutes
REFRESH_TOKEN_DURATION_RANGE = (0, 524160)  # minutes; 0 = no refresh token
ANONYMOUS_TOKEN_DURATION_RANGE = (10, 86400)  # minutes (decisions.md)
DEFAULT_ANONYMOUS_TOKEN_DURATION = 10080  # one week
MAX_APP_NAME_LENGTH = 1000
MAX_TEXT_LENGTH = 1000
MAX_ROLES_PER_LIST = 200


@dataclass(slots=True)
class ApiClient:
    """Every writable and computed field of OrderCloud's ApiClient model."""

    id: str
    app_name: str
    access_token_duration: int
    active: bool = True
    client_secret: str | None = None
    refresh_token_duration: int = 0
    anonymous_token_duration: int = DEFAULT_ANONYMOUS_TOKEN_DURATION
    default_context_username: str | None = None
    xp: Any = None
    allow_any_buyer: bool = False
    allow_any_supplier: bool = False
    allow_seller: bool = False
    is_anon_buyer: bool = False
    order_checkout_integration_event_id: str | None = None
    order_return_integration_event_id: str | None = None
    add_to_cart_integration_event_id: str | None = None
    minimum_required_roles: list[str] = field(default_factory=list)
    minimum_required_custom_roles: list[str] = field(default_factory=list)
    maximum_granted_roles: list[str] = field(default_factory=list)
    maximum_granted_custom_roles: list[str] = field(default_factory=list)
    assigned_buyer_count: int = 0
    assigned_supplier_count: int = 0

    @property
    def role_limits(self) -> ClientRoleLimits:
        return ClientRoleLimits(
            minimum_roles=frozenset(self.minimum_required_roles),
            minimum_custom_roles=frozenset(self.minimum_required_custom_roles),
            maximum_roles=frozenset(self.maximum_granted_roles),
            maximum_custom_roles=frozenset(self.maximum_granted_custom_roles),
        )

    @property
    def has_legacy_secret(self) -> bool:
        """An empty legacy secret means none (spec §1.2)."""
        return bool(self.client_secret)

    def grants_full_access_to_sellers(self) -> bool:
        """Could a FullAccess seller get a FullAccess token through this client?

        This is what "full-access client" means for ``ApiClient.CannotDeleteLastFullAccess``:
        without one, nobody could administer the marketplace any more.
        """
        ceiling = self.role_limits.maximum
        return (
            self.active
            and self.allow_seller
            and (ceiling is None or "FullAccess" in ceiling)
            and not self.role_limits.minimum - {"FullAccess"}
        )


def validate_api_client(client: ApiClient) -> None:
    """Enforce the ranges and shapes of spec §1.1; raise ``InvalidInputError`` on the first."""
    _check_range("AccessTokenDuration", client.access_token_duration, ACCESS_TOKEN_DURATION_RANGE)
    _check_range(
        "RefreshTokenDuration", client.refresh_token_duration, REFRESH_TOKEN_DURATION_RANGE
    )
    _check_range(
        "AnonymousTokenDuration", client.anonymous_token_duration, ANONYMOUS_TOKEN_DURATION_RANGE
    )
    if not client.app_name.strip():
        raise InvalidInputError(message="AppName may not be empty.", data={"Field": "AppName"})
    _check_length("AppName", client.app_name, MAX_APP_NAME_LENGTH)
    for name in ("client_secret", "default_context_username"):
        value = getattr(client, name)
        if value is not None:
            _check_length(_pascal(name), value, MAX_TEXT_LENGTH)
    _check_roles("MinimumRequiredRoles", client.minimum_required_roles)
    _check_roles("MaximumGrantedRoles", client.maximum_granted_roles)
    _check_custom_roles("MinimumRequiredCustomRoles", client.minimum_required_custom_roles)
    _check_custom_roles("MaximumGrantedCustomRoles", client.maximum_granted_custom_roles)


def _check_range(field_name: str, value: int, bounds: tuple[int, int]) -> None:
    low, high = bounds
    if not low <= value <= high:
        raise InvalidInputError(
            message=f"{field_name} must be between {low} and {high}.",
            data={"Field": field_name, "Minimum": low, "Maximum": high, "Value": value},
        )


def _check_length(field_name: str, value: str, limit: int) -> None:
    if len(value) > limit:
        raise InvalidInputError(
            message=f"{field_name} may not exceed {limit} characters.", data={"Field": field_name}
        )


def _check_roles(field_name: str, roles: Iterable[str]) -> None:
    roles = list(roles)
    unknown = [role for role in roles if role not in API_ROLE_NAMES]
    if unknown or len(roles) > MAX_ROLES_PER_LIST:
        raise InvalidInputError(
            message=f"{field_name} contains invalid roles.",
            data={"Field": field_name, "InvalidRoles": unknown},
        )


def _check_custom_roles(field_name: str, roles: Iterable[str]) -> None:
    roles = list(roles)
    if len(roles) > MAX_ROLES_PER_LIST or any(
        not role.strip() or len(role) > MAX_CUSTOM_ROLE_LENGTH or " " in role for role in roles
    ):
        raise InvalidInputError(
            message=f"{field_name} contains an invalid custom role.", data={"Field": field_name}
        )


def _pascal(snake: str) -> str:
    return "".join(part.capitalize() for part in snake.split("_"))
