"""OpenIdConnect configs and IntegrationEvents (ordercloud-sso.md §2, §4.1): the objects, and
the validation rules that need no database."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from gatehouse.domain.errors import ConflictError, InvalidInputError, RequiredFieldError
from gatehouse.domain.ids import is_valid_id

OPENID_CONNECT = "OpenIdConnect"
INTEGRATION_EVENT = "IntegrationEvent"
EVENT_TYPES = ("OrderCheckout", "OpenIDConnect", "OrderReturn", "AddToCart")
OPENID_EVENT_TYPE = "OpenIDConnect"
MAX_URL = 2000
MAX_HASH_KEY = 50
MAX_SCOPES = 50


@dataclass(frozen=True, slots=True)
class OpenIdConnect:
    id: str
    api_client_id: str
    connect_client_id: str
    connect_client_secret: str
    app_start_url: str
    authorization_endpoint: str
    token_endpoint: str
    url_encoded: bool = False
    integration_event_id: str | None = None
    call_sync_user: bool = False
    additional_scopes: tuple[str, ...] = ()
    custom_error_url: str | None = None
    integration_event_name: str | None = None
    """Read-only: the referenced event's ``Name``."""

    def fingerprint(self) -> tuple[str, ...]:
        """What the IdP metadata cache depends on: a change of any of these starts afresh."""
        return (self.id, self.connect_client_id, self.token_endpoint, self.authorization_endpoint)


@dataclass(frozen=True, slots=True)
class IntegrationEvent:
    id: str
    name: str
    event_type: str
    custom_implementation_url: str
    hash_key: str
    elevated_roles: tuple[str, ...] = ()
    config_data: Any = None
    custom_auth_header_name: str | None = None
    custom_auth_header_value: str | None = field(default=None, repr=False)


_OIDC_REQUIRED = (
    ("api_client_id", "OrderCloudApiClientID"),
    ("connect_client_id", "ConnectClientID"),
    ("connect_client_secret", "ConnectClientSecret"),
    ("app_start_url", "AppStartUrl"),
    ("authorization_endpoint", "AuthorizationEndpoint"),
    ("token_endpoint", "TokenEndpoint"),
)
_EVENT_REQUIRED = (
    ("name", "Name"),
    ("custom_implementation_url", "CustomImplementationUrl"),
    ("hash_key", "HashKey"),
)


def validate_object_id(object_id: str) -> None:
    if not is_valid_id(object_id):
        raise InvalidInputError(
            message="ID may contain only letters, digits, - and _, up to 100 characters.",
            data={"Field": "ID"},
        )


def _required(fields: Mapping[str, Any], names: tuple[tuple[str, str], ...]) -> None:
    for name, wire in names:
        if fields.get(name) in (None, ""):
            raise RequiredFieldError(wire)


def _bounded(value: str | None, wire: str, limit: int = MAX_URL) -> None:
    if value is not None and len(value) > limit:
        raise InvalidInputError(
            "ValidationFailure", f"{wire} is longer than {limit} characters.", {"Field": wire}
        )


def build_openid_connect(config_id: str, fields: Mapping[str, Any]) -> OpenIdConnect:
    """A config from sent fields. IdP URLs are not checked for reachability: OrderCloud
    validates them only when a user signs in (spec §2.1)."""
    validate_object_id(config_id)
    _required(fields, _OIDC_REQUIRED)
    scopes = tuple(fields.get("additional_scopes") or ())
    if len(scopes) > MAX_SCOPES:
        raise InvalidInputError("ValidationFailure", "Too many AdditionalIdpScopes.")
    config = OpenIdConnect(
        id=config_id,
        api_client_id=str(fields["api_client_id"]).lower(),
        connect_client_id=fields["connect_client_id"],
        connect_client_secret=fields["connect_client_secret"],
        app_start_url=fields["app_start_url"],
        authorization_endpoint=fields["authorization_endpoint"],
        token_endpoint=fields["token_endpoint"],
        url_encoded=bool(fields.get("url_encoded") or False),
        integration_event_id=fields.get("integration_event_id") or None,
        call_sync_user=bool(fields.get("call_sync_user") or False),
        additional_scopes=scopes,
        custom_error_url=fields.get("custom_error_url") or None,
    )
    for value, wire in (
        (config.app_start_url, "AppStartUrl"),
        (config.authorization_endpoint, "AuthorizationEndpoint"),
        (config.token_endpoint, "TokenEndpoint"),
        (config.custom_error_url, "CustomErrorUrl"),
        (config.connect_client_id, "ConnectClientID"),
        (config.connect_client_secret, "ConnectClientSecret"),
    ):
        _bounded(value, wire)
    return config


def build_integration_event(
    event_id: str, fields: Mapping[str, Any], *, current: IntegrationEvent | None = None
) -> IntegrationEvent:
    """An event from sent fields; ``EventType`` cannot change once created."""
    validate_object_id(event_id)
    _required(fields, _EVENT_REQUIRED)
    event_type = fields.get("event_type") or (current.event_type if current else None)
    if event_type is None:
        raise RequiredFieldError("EventType")
    if event_type not in EVENT_TYPES:
        raise InvalidInputError(
            "ValidationFailure", f"EventType must be one of {', '.join(EVENT_TYPES)}."
        )
    if current is not None and current.event_type != event_type:
        raise ConflictError(
            "IntegrationEvent.CannotEditType", "The EventType of an IntegrationEvent cannot change."
        )
    name, value = fields.get("custom_auth_header_name"), fields.get("custom_auth_header_value")
    if name and not value:
        raise InvalidInputError(
            "Integration.CustomAuthHeaderValueRequired", "CustomAuthHeaderValue is required."
        )
    if value and not name:
        raise InvalidInputError(
            "Integration.CustomAuthHeaderNameRequired", "CustomAuthHeaderName is required."
        )
    _bounded(fields["hash_key"], "HashKey", MAX_HASH_KEY)
    _bounded(fields["custom_implementation_url"], "CustomImplementationUrl")
    return IntegrationEvent(
        id=event_id,
        name=fields["name"],
        event_type=event_type,
        custom_implementation_url=fields["custom_implementation_url"],
        hash_key=fields["hash_key"],
        elevated_roles=tuple(fields.get("elevated_roles") or ()),
        config_data=fields.get("config_data"),
        custom_auth_header_name=name or None,
        custom_auth_header_value=value or None,
    )


def incompatible_event_type() -> InvalidInputError:
    return InvalidInputError(
        "IntegrationEvent.IncompatibleEventType",
        "The referenced IntegrationEvent must have the correct EventType (OpenIDConnect).",
    )


def event_in_use(config_id: str) -> ConflictError:
    return ConflictError(
        "IntegrationEvent.CannotDeleteInUse",
        "This IntegrationEvent is used by an OpenIdConnect config.",
        {"ObjectType": OPENID_CONNECT, "ObjectID": config_id},
    )
