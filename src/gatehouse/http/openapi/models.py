"""Response models of the OrderCloud shapes, for the OpenAPI document only.

Handlers build their bodies as plain dicts (``http/schemas``) and return them directly, so
these models cost nothing per request; they state the wire truthfully instead: every property
is required (the builders always write it, ``null`` when empty) and no other property appears
(``additionalProperties: false``), so the contract test catches a builder and its model
drifting apart. Documents other standards define (RFC 6749 token responses, RFC 8414
metadata, JWKs) allow extra members, as those standards do.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

Item = TypeVar("Item")


class WireOut(BaseModel):
    """A response body: exactly these properties, all present."""

    model_config = ConfigDict(extra="forbid")


class OpenOut(BaseModel):
    """A response body a standard lets grow: these properties, and maybe others."""

    model_config = ConfigDict(extra="allow")


class ListMeta(WireOut):
    Page: int
    PageSize: int
    TotalCount: int
    TotalPages: int
    ItemRange: list[int] = Field(min_length=2, max_length=2)
    NextPageKey: str | None


class ListPage(WireOut, Generic[Item]):
    """OrderCloud's list envelope."""

    Meta: ListMeta
    Items: list[Item]


def page_of(model: type[WireOut]) -> type[WireOut]:
    """``ListPage[model]`` for a model known only at run time (routes mounted from a table)."""
    return ListPage[model]  # type: ignore[valid-type]


class ApiClient(WireOut):
    ID: str
    ClientSecret: str | None
    AccessTokenDuration: int
    Active: bool
    AppName: str | None
    RefreshTokenDuration: int
    AnonymousTokenDuration: int
    DefaultContextUserName: str | None
    xp: Any
    AllowAnyBuyer: bool
    AllowAnySupplier: bool
    AllowSeller: bool
    IsAnonBuyer: bool
    AssignedBuyerCount: int
    AssignedSupplierCount: int
    OrderCheckoutIntegrationEventID: str | None
    OrderCheckoutIntegrationEventName: str | None
    OrderReturnIntegrationEventID: str | None
    OrderReturnIntegrationEventName: str | None
    AddToCartIntegrationEventID: str | None
    AddToCartIntegrationEventName: str | None
    MinimumRequiredRoles: list[str]
    MinimumRequiredCustomRoles: list[str]
    MaximumGrantedRoles: list[str]
    MaximumGrantedCustomRoles: list[str]


class ApiClientAssignment(WireOut):
    ApiClientID: str
    BuyerID: str | None
    SupplierID: str | None


class ApiClientSecret(WireOut):
    ID: str
    Name: str | None
    Expiration: str | None


class ApiClientSecretCreateResponse(ApiClientSecret):
    ClientSecret: str


class Buyer(WireOut):
    ID: str
    Name: str | None
    DefaultCatalogID: str | None
    Active: bool
    DateCreated: str | None
    xp: Any


class Supplier(WireOut):
    ID: str
    Name: str | None
    Active: bool
    DateCreated: str | None
    AllBuyersCanOrder: bool
    xp: Any


class _Person(WireOut):
    """The properties every user shape shares."""

    ID: str
    CompanyID: str
    Username: str
    Password: None
    FirstName: str | None
    LastName: str | None
    Email: str | None
    Phone: str | None
    TermsAccepted: None
    Active: bool
    xp: Any
    Locale: None
    DateCreated: str | None
    LastActive: None
    PasswordLastSetDate: str | None


class OrderUser(_Person):
    """An order's ``FromUser``: the SDK's ``User`` without roles or login counts."""

    AvailableRoles: None


class User(_Person):
    """``User``, ``AdminUser`` and supplier users: ``Password`` is write-only (always null)."""

    FailedLoginAttempts: int
    AvailableRoles: list[str]


class MeBuyer(WireOut):
    ID: str | None
    DefaultCatalogID: str | None


class MeCompany(WireOut):
    ID: str | None


class MeUser(User):
    """The caller: ``User`` plus its company, by user type (the others null)."""

    Buyer: MeBuyer | None
    Supplier: MeCompany | None
    Seller: MeCompany | None


class UserGroup(WireOut):
    ID: str
    Name: str | None
    Description: str | None
    xp: Any


class UserGroupAssignment(WireOut):
    UserGroupID: str
    UserID: str


class SecurityProfile(WireOut):
    ID: str
    Name: str | None
    Roles: list[str]
    CustomRoles: list[str]
    PasswordConfig: dict[str, Any] | None
    IsExternalRoleGroup: bool


class SecurityProfileAssignment(WireOut):
    SecurityProfileID: str
    BuyerID: str | None
    SupplierID: str | None
    UserID: str | None
    UserGroupID: str | None


class ImpersonationConfig(WireOut):
    ID: str
    Name: str | None
    ImpersonationBuyerID: str | None
    ImpersonationGroupID: str | None
    ImpersonationUserID: str | None
    BuyerID: str | None
    GroupID: str | None
    UserID: str | None
    SecurityProfileID: str
    ClientID: str


class Order(WireOut):
    """Totals are 0: line items, addresses and submission are not implemented."""

    ID: str
    FromUser: OrderUser | None
    FromCompanyID: str | None
    ToCompanyID: str | None
    FromUserID: str | None
    BillingAddressID: None
    BillingAddress: None
    ShippingAddressID: None
    Comments: str | None
    LineItemCount: int
    Status: str
    DateCreated: str | None
    DateSubmitted: None
    DateApproved: None
    DateDeclined: None
    DateCanceled: None
    DateCompleted: None
    LastUpdated: str | None
    Subtotal: float
    ShippingCost: float
    TaxCost: float
    Gratuity: float
    Fees: float
    PromotionDiscount: float
    Currency: str | None
    Total: float
    IsSubmitted: bool
    SubscriptionID: None
    xp: Any


class AccessToken(OpenOut):
    """RFC 6749 §5.1 (and OrderCloud's ``AccessToken``); ``refresh_token`` only when issued."""

    access_token: str
    token_type: str
    expires_in: int
    refresh_token: str | None = None


class RegisteredToken(WireOut):
    """``PUT /v1/me/register``: the new user's token."""

    access_token: str


class JsonWebKey(OpenOut):
    kty: str
    kid: str
    n: str
    e: str
    alg: str
    use: str


class JsonWebKeySet(OpenOut):
    keys: list[JsonWebKey]


class AuthorizationServerMetadata(OpenOut):
    """RFC 8414 §2 (which lets metadata carry more members)."""

    issuer: str
    token_endpoint: str
    jwks_uri: str
    grant_types_supported: list[str]
    token_endpoint_auth_methods_supported: list[str]
    response_types_supported: list[str]


class Health(WireOut):
    Status: str
    Version: str
