"""API roles and the arithmetic that turns a token request into the token's roles.

Spec: ordercloud-behaviour.md §1.3 (client role limits), §3.5 (scope), §5.4 (catalogue).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from enum import StrEnum


class ApiRole(StrEnum):
    """The 92 OrderCloud API roles, in the order of the JS and .NET SDK enums."""

    ApiClientAdmin = "ApiClientAdmin"
    ApiClientReader = "ApiClientReader"
    AddressAdmin = "AddressAdmin"
    AddressReader = "AddressReader"
    AdminAddressAdmin = "AdminAddressAdmin"
    AdminAddressReader = "AdminAddressReader"
    AdminUserAdmin = "AdminUserAdmin"
    AdminUserGroupAdmin = "AdminUserGroupAdmin"
    AdminUserGroupReader = "AdminUserGroupReader"
    AdminUserReader = "AdminUserReader"
    ApprovalRuleAdmin = "ApprovalRuleAdmin"
    ApprovalRuleReader = "ApprovalRuleReader"
    BundleAdmin = "BundleAdmin"
    BundleAssignmentAdmin = "BundleAssignmentAdmin"
    BundleReader = "BundleReader"
    BuyerAdmin = "BuyerAdmin"
    BuyerImpersonation = "BuyerImpersonation"
    BuyerReader = "BuyerReader"
    BuyerUserAdmin = "BuyerUserAdmin"
    BuyerUserReader = "BuyerUserReader"
    CatalogAdmin = "CatalogAdmin"
    CatalogReader = "CatalogReader"
    CategoryAdmin = "CategoryAdmin"
    CategoryReader = "CategoryReader"
    CostCenterAdmin = "CostCenterAdmin"
    CostCenterReader = "CostCenterReader"
    CreditCardAdmin = "CreditCardAdmin"
    CreditCardReader = "CreditCardReader"
    EntitySyncConfigAdmin = "EntitySyncConfigAdmin"
    FullAccess = "FullAccess"
    IncrementorAdmin = "IncrementorAdmin"
    IncrementorReader = "IncrementorReader"
    LocaleReader = "LocaleReader"
    LocaleAdmin = "LocaleAdmin"
    MeAddressAdmin = "MeAddressAdmin"
    MeAdmin = "MeAdmin"
    MeCreditCardAdmin = "MeCreditCardAdmin"
    MessageConfigAssignmentAdmin = "MessageConfigAssignmentAdmin"
    MeSubscriptionAdmin = "MeSubscriptionAdmin"
    MeXpAdmin = "MeXpAdmin"
    OrderAdmin = "OrderAdmin"
    OrderReader = "OrderReader"
    OverrideShipping = "OverrideShipping"
    OverrideTax = "OverrideTax"
    OverrideUnitPrice = "OverrideUnitPrice"
    PasswordReset = "PasswordReset"
    PriceScheduleAdmin = "PriceScheduleAdmin"
    PriceScheduleReader = "PriceScheduleReader"
    ProductAdmin = "ProductAdmin"
    ProductAssignmentAdmin = "ProductAssignmentAdmin"
    ProductCollectionReader = "ProductCollectionReader"
    ProductFacetAdmin = "ProductFacetAdmin"
    ProductFacetReader = "ProductFacetReader"
    ProductReader = "ProductReader"
    ProductSyncConfigAdmin = "ProductSyncConfigAdmin"
    PromotionAdmin = "PromotionAdmin"
    PromotionReader = "PromotionReader"
    SecurityProfileAdmin = "SecurityProfileAdmin"
    SecurityProfileReader = "SecurityProfileReader"
    SetSecurityProfile = "SetSecurityProfile"
    ShipmentAdmin = "ShipmentAdmin"
    ShipmentReader = "ShipmentReader"
    Shopper = "Shopper"
    SpendingAccountAdmin = "SpendingAccountAdmin"
    SpendingAccountReader = "SpendingAccountReader"
    SubscriptionAdmin = "SubscriptionAdmin"
    SubscriptionReader = "SubscriptionReader"
    SupplierAddressAdmin = "SupplierAddressAdmin"
    SupplierAddressReader = "SupplierAddressReader"
    SupplierAdmin = "SupplierAdmin"
    SupplierReader = "SupplierReader"
    SupplierUserAdmin = "SupplierUserAdmin"
    SupplierUserGroupAdmin = "SupplierUserGroupAdmin"
    SupplierUserGroupReader = "SupplierUserGroupReader"
    SupplierUserReader = "SupplierUserReader"
    UnsubmittedOrderReader = "UnsubmittedOrderReader"
    UserGroupAdmin = "UserGroupAdmin"
    UserGroupReader = "UserGroupReader"
    OpenIDConnectReader = "OpenIDConnectReader"
    OpenIDConnectAdmin = "OpenIDConnectAdmin"
    MessageSenderReader = "MessageSenderReader"
    MessageSenderAdmin = "MessageSenderAdmin"
    XpIndexAdmin = "XpIndexAdmin"
    WebhookReader = "WebhookReader"
    WebhookAdmin = "WebhookAdmin"
    IntegrationEventReader = "IntegrationEventReader"
    IntegrationEventAdmin = "IntegrationEventAdmin"
    TrackingEventReader = "TrackingEventReader"
    TrackingEventAdmin = "TrackingEventAdmin"
    DeliveryConfigAdmin = "DeliveryConfigAdmin"
    OrderSyncConfigAdmin = "OrderSyncConfigAdmin"
    ErrorConfigAdmin = "ErrorConfigAdmin"


API_ROLE_NAMES: frozenset[str] = frozenset(role.value for role in ApiRole)
MAX_CUSTOM_ROLE_LENGTH = 100


@dataclass(frozen=True, slots=True)
class RoleSet:
    """The roles a user holds: standard API roles plus free-form custom roles."""

    roles: frozenset[str] = frozenset()
    custom_roles: frozenset[str] = frozenset()

    @property
    def all(self) -> frozenset[str]:
        return self.roles | self.custom_roles

    def union(self, other: RoleSet) -> RoleSet:
        return RoleSet(self.roles | other.roles, self.custom_roles | other.custom_roles)


@dataclass(frozen=True, slots=True)
class ClientRoleLimits:
    """An API client's ``MinimumRequired*`` and ``MaximumGranted*`` role lists."""

    minimum_roles: frozenset[str] = frozenset()
    minimum_custom_roles: frozenset[str] = frozenset()
    maximum_roles: frozenset[str] = frozenset()
    maximum_custom_roles: frozenset[str] = frozenset()

    @property
    def maximum(self) -> frozenset[str] | None:
        """The ceiling on granted roles, or None when the client sets none."""
        ceiling = self.maximum_roles | self.maximum_custom_roles
        return ceiling or None

    @property
    def minimum(self) -> frozenset[str]:
        return self.minimum_roles | self.minimum_custom_roles


def parse_scope(scope: str | None) -> frozenset[str] | None:
    """Split a space-delimited ``scope`` into words; None means "no scope requested".

    An empty or blank scope counts as absent: the .NET SDK always sends ``scope``, possibly
    empty, and since OrderCloud's "auth without scope" change that means "all my roles".
    """
    if scope is None:
        return None
    words = frozenset(scope.split())
    return words or None


def grant_roles(
    available: RoleSet, requested: frozenset[str] | None, limits: ClientRoleLimits
) -> frozenset[str]:
    """Roles for a new token: requested ∩ available ∩ the client's maximum.

    Unknown or unavailable requested words (``undefined``, ``InventoryAdmin``) are dropped
    silently, as OrderCloud does. ``FullAccess`` is never expanded into other roles.
    """
    granted = available.all
    if requested is not None:
        granted = granted & requested
    ceiling = limits.maximum
    if ceiling is not None:
        granted = granted & ceiling
    return granted


class DropReason(StrEnum):
    """Why a role is left out of a token (the explain endpoint's ``Dropped``)."""

    NOT_REQUESTED = "not requested"
    NOT_HELD = "not held"
    ABOVE_CLIENT_MAXIMUM = "above client maximum"


def dropped_roles(
    available: RoleSet, requested: frozenset[str] | None, limits: ClientRoleLimits
) -> dict[str, DropReason]:
    """Every role ``grant_roles`` leaves out, with the first reason that drops it: held but
    not in the scope, in the scope but not held (unknown words included), or held and
    requested but above the client's ``MaximumGranted*``. Granted ∪ dropped = requested ∪
    held, so nothing is silently missing from an explanation."""
    held = available.all
    granted = grant_roles(available, requested, limits)
    dropped: dict[str, DropReason] = {}
    for role in (held | (requested or frozenset())) - granted:
        if role not in held:
            dropped[role] = DropReason.NOT_HELD
        elif requested is not None and role not in requested:
            dropped[role] = DropReason.NOT_REQUESTED
        else:
            dropped[role] = DropReason.ABOVE_CLIENT_MAXIMUM
    return dropped


def missing_minimum_roles(available: RoleSet, limits: ClientRoleLimits) -> frozenset[str]:
    """The client's minimum required roles that the user does not hold (empty = allowed)."""
    return limits.minimum - available.all


def satisfies(token_roles: Collection[str], sufficient: Iterable[str]) -> bool:
    """Whether a token may perform an operation that any of ``sufficient`` roles allows.

    ``FullAccess`` satisfies every operation (spec §2.6).
    """
    if ApiRole.FullAccess in token_roles:
        return True
    return any(role in token_roles for role in sufficient)


def role_claim(roles: Collection[str]) -> str | list[str] | None:
    """The JWT ``role`` claim: a string for one role, a list for several, absent for none."""
    ordered = ordered_roles(roles)
    if not ordered:
        return None
    if len(ordered) == 1:
        return ordered[0]
    return ordered


_ROLE_INDEX = {role.value: index for index, role in enumerate(ApiRole)}


def ordered_roles(roles: Iterable[str]) -> list[str]:
    """Standard roles in the SDK enums' order, then custom roles alphabetically."""
    return sorted(roles, key=_role_order)


def _role_order(role: str) -> tuple[int, str]:
    """Standard roles in enum order first, then custom roles alphabetically (stable claims)."""
    return (_ROLE_INDEX.get(role, len(_ROLE_INDEX)), role)


def roles_from_claim(claim: object) -> frozenset[str]:
    """Read a ``role`` claim back, whichever of its shapes it has."""
    if isinstance(claim, str):
        return frozenset({claim})
    if isinstance(claim, list):
        return frozenset(item for item in claim if isinstance(item, str))
    return frozenset()


def refresh_roles(
    original: Collection[str], current: RoleSet, limits: ClientRoleLimits
) -> frozenset[str]:
    """Roles for a token obtained with a refresh token (decisions.md "Grants and tokens").

    The original grant's roles ∩ the roles the user holds *now* ∩ the client's current
    maximum: a refresh never widens a grant, and a profile assignment removed since the login
    takes effect at the next refresh.
    """
    granted = frozenset(original) & current.all
    ceiling = limits.maximum
    if ceiling is not None:
        granted = granted & ceiling
    return granted
