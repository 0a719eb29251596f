"""OpenIdConnect and IntegrationEvent on the wire (JS12 ``models/OpenIdConnect.d.ts``,
``models/IntegrationEvent.d.ts``; ordercloud-sso.md §2.1, §4.1)."""

from __future__ import annotations

from typing import Any

from pydantic import StrictBool, StrictStr

from gatehouse.domain.listing import FieldType, ListField, ListSpec
from gatehouse.domain.openid_connects import IntegrationEvent, OpenIdConnect
from gatehouse.http.schemas.common import WireModel

OIDC_FIELDS = {
    "ID": "id",
    "OrderCloudApiClientID": "api_client_id",
    "ConnectClientID": "connect_client_id",
    "ConnectClientSecret": "connect_client_secret",
    "AppStartUrl": "app_start_url",
    "AuthorizationEndpoint": "authorization_endpoint",
    "TokenEndpoint": "token_endpoint",
    "UrlEncoded": "url_encoded",
    "IntegrationEventID": "integration_event_id",
    "CallSyncUserIntegrationEvent": "call_sync_user",
    "AdditionalIdpScopes": "additional_scopes",
    "CustomErrorUrl": "custom_error_url",
}
EVENT_FIELDS = {
    "ID": "id",
    "Name": "name",
    "EventType": "event_type",
    "CustomImplementationUrl": "custom_implementation_url",
    "HashKey": "hash_key",
    "ElevatedRoles": "elevated_roles",
    "ConfigData": "config_data",
    "CustomAuthHeaderName": "custom_auth_header_name",
    "CustomAuthHeaderValue": "custom_auth_header_value",
}


class OpenIdConnectIn(WireModel):
    """``IntegrationEventName`` is read-only and unknown properties are ignored (the docs'
    own example sends ``OrdercloudApiClient``)."""

    ID: StrictStr | None = None
    OrderCloudApiClientID: StrictStr | None = None
    ConnectClientID: StrictStr | None = None
    ConnectClientSecret: StrictStr | None = None
    AppStartUrl: StrictStr | None = None
    AuthorizationEndpoint: StrictStr | None = None
    TokenEndpoint: StrictStr | None = None
    UrlEncoded: StrictBool | None = None
    IntegrationEventID: StrictStr | None = None
    CallSyncUserIntegrationEvent: StrictBool | None = None
    AdditionalIdpScopes: list[StrictStr] | None = None
    CustomErrorUrl: StrictStr | None = None

    def domain_fields(self) -> dict[str, Any]:
        return self.sent_fields(OIDC_FIELDS)


def openid_connect_out(config: OpenIdConnect) -> dict[str, Any]:
    """``ConnectClientSecret`` is returned, as OrderCloud does (spec §2.1); it is stored
    sealed."""
    return {
        "ID": config.id,
        "OrderCloudApiClientID": config.api_client_id,
        "ConnectClientID": config.connect_client_id,
        "ConnectClientSecret": config.connect_client_secret,
        "AppStartUrl": config.app_start_url,
        "AuthorizationEndpoint": config.authorization_endpoint,
        "TokenEndpoint": config.token_endpoint,
        "UrlEncoded": config.url_encoded,
        "IntegrationEventID": config.integration_event_id,
        "CallSyncUserIntegrationEvent": config.call_sync_user,
        "IntegrationEventName": config.integration_event_name,
        "AdditionalIdpScopes": list(config.additional_scopes),
        "CustomErrorUrl": config.custom_error_url,
    }


class IntegrationEventIn(WireModel):
    ID: StrictStr | None = None
    Name: StrictStr | None = None
    EventType: StrictStr | None = None
    CustomImplementationUrl: StrictStr | None = None
    HashKey: StrictStr | None = None
    ElevatedRoles: list[StrictStr] | None = None
    ConfigData: Any = None
    CustomAuthHeaderName: StrictStr | None = None
    CustomAuthHeaderValue: StrictStr | None = None

    def domain_fields(self) -> dict[str, Any]:
        return self.sent_fields(EVENT_FIELDS)


def integration_event_out(event: IntegrationEvent) -> dict[str, Any]:
    """``CustomAuthHeaderValue`` is write-only (NET ``[ApiWriteOnly]``): always null."""
    return {
        "ElevatedRoles": list(event.elevated_roles),
        "ID": event.id,
        "ConfigData": event.config_data,
        "EventType": event.event_type,
        "CustomImplementationUrl": event.custom_implementation_url,
        "CustomAuthHeaderName": event.custom_auth_header_name,
        "CustomAuthHeaderValue": None,
        "Name": event.name,
        "HashKey": event.hash_key,
    }


OIDC_LIST_SPEC = ListSpec(
    object_type="OpenIdConnect",
    fields=(
        ListField("ID", searchable=True, sortable=True),
        ListField("OrderCloudApiClientID"),
        ListField("ConnectClientID"),
        ListField("AppStartUrl"),
        ListField("AuthorizationEndpoint"),
        ListField("TokenEndpoint"),
        ListField("UrlEncoded", type=FieldType.BOOLEAN),
        ListField("IntegrationEventID"),
        ListField("CallSyncUserIntegrationEvent", type=FieldType.BOOLEAN),
        ListField("CustomErrorUrl"),
    ),
)
EVENT_LIST_SPEC = ListSpec(
    object_type="IntegrationEvent",
    fields=(
        ListField("ID", searchable=True, sortable=True),
        ListField("Name", searchable=True, sortable=True),
        ListField("EventType", sortable=True),
        ListField("CustomImplementationUrl"),
    ),
)
