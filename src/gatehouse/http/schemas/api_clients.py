"""ApiClient and ApiClientAssignment on the wire (spec §1.1, §1.4)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, StrictBool, StrictStr

from gatehouse.domain.api_clients import ApiClient
from gatehouse.domain.listing import FieldType, ListField, ListSpec
from gatehouse.http.schemas.common import WireModel

Int32 = Annotated[int, Field(strict=False, ge=-(2**31), le=2**31 - 1)]

# Wire name → domain field, in OrderCloud's serialization order.
FIELDS: dict[str, str] = {
    "ID": "id",
    "ClientSecret": "client_secret",
    "AccessTokenDuration": "access_token_duration",
    "Active": "active",
    "AppName": "app_name",
    "RefreshTokenDuration": "refresh_token_duration",
    "AnonymousTokenDuration": "anonymous_token_duration",
    "DefaultContextUserName": "default_context_username",
    "xp": "xp",
    "AllowAnyBuyer": "allow_any_buyer",
    "AllowAnySupplier": "allow_any_supplier",
    "AllowSeller": "allow_seller",
    "IsAnonBuyer": "is_anon_buyer",
    "AssignedBuyerCount": "assigned_buyer_count",
    "AssignedSupplierCount": "assigned_supplier_count",
    "OrderCheckoutIntegrationEventID": "order_checkout_integration_event_id",
    "OrderReturnIntegrationEventID": "order_return_integration_event_id",
    "AddToCartIntegrationEventID": "add_to_cart_integration_event_id",
    "MinimumRequiredRoles": "minimum_required_roles",
    "MinimumRequiredCustomRoles": "minimum_required_custom_roles",
    "MaximumGrantedRoles": "maximum_granted_roles",
    "MaximumGrantedCustomRoles": "maximum_granted_custom_roles",
}
_AFTER = {
    "OrderCheckoutIntegrationEventID": "OrderCheckoutIntegrationEventName",
    "OrderReturnIntegrationEventID": "OrderReturnIntegrationEventName",
    "AddToCartIntegrationEventID": "AddToCartIntegrationEventName",
}


class ApiClientIn(WireModel):
    """POST/PUT/PATCH body. Required fields are checked by the service, so PATCH can share
    this model; read-only fields (ID, counts, event names) are accepted and ignored."""

    REQUIRED = ("AppName", "AccessTokenDuration")

    ClientSecret: StrictStr | None = None
    AccessTokenDuration: Int32 | None = None
    Active: StrictBool | None = None
    AppName: StrictStr | None = None
    RefreshTokenDuration: Int32 | None = None
    AnonymousTokenDuration: Int32 | None = None
    DefaultContextUserName: StrictStr | None = None
    xp: Any = None
    AllowAnyBuyer: StrictBool | None = None
    AllowAnySupplier: StrictBool | None = None
    AllowSeller: StrictBool | None = None
    IsAnonBuyer: StrictBool | None = None
    OrderCheckoutIntegrationEventID: StrictStr | None = None
    OrderReturnIntegrationEventID: StrictStr | None = None
    AddToCartIntegrationEventID: StrictStr | None = None
    MinimumRequiredRoles: list[StrictStr] | None = None
    MinimumRequiredCustomRoles: list[StrictStr] | None = None
    MaximumGrantedRoles: list[StrictStr] | None = None
    MaximumGrantedCustomRoles: list[StrictStr] | None = None

    def domain_fields(self) -> dict[str, Any]:
        return self.sent_fields(FIELDS)


def api_client_out(client: ApiClient) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for wire, name in FIELDS.items():
        value = getattr(client, name)
        body[wire] = value if value != "" else None
        if wire in _AFTER:
            body[_AFTER[wire]] = None  # IntegrationEvents are not served yet
    return body


class ApiClientAssignmentIn(WireModel):
    ApiClientID: StrictStr
    BuyerID: StrictStr | None = None
    SupplierID: StrictStr | None = None


def assignment_out(client_id: str, buyer_id: str, supplier_id: str) -> dict[str, Any]:
    return {
        "ApiClientID": client_id,
        "BuyerID": buyer_id or None,
        "SupplierID": supplier_id or None,
    }


LIST_SPEC = ListSpec(
    object_type="ApiClient",
    fields=(
        ListField("ID", searchable=True, sortable=True),
        ListField("AppName", searchable=True, sortable=True),
        ListField("DefaultContextUserName", searchable=True, sortable=True),
        ListField("ClientSecret", filterable=False),  # encrypted; no guessing oracle
        ListField("AccessTokenDuration", FieldType.INTEGER),
        ListField("RefreshTokenDuration", FieldType.INTEGER),
        ListField("AnonymousTokenDuration", FieldType.INTEGER),
        ListField("Active", FieldType.BOOLEAN),
        ListField("AllowAnyBuyer", FieldType.BOOLEAN),
        ListField("AllowAnySupplier", FieldType.BOOLEAN),
        ListField("AllowSeller", FieldType.BOOLEAN),
        ListField("IsAnonBuyer", FieldType.BOOLEAN),
        ListField("OrderCheckoutIntegrationEventID"),
        ListField("OrderReturnIntegrationEventID"),
        ListField("AddToCartIntegrationEventID"),
        ListField("AssignedBuyerCount", FieldType.INTEGER),
        ListField("AssignedSupplierCount", FieldType.INTEGER),
    ),
    xp=True,
)
