"""The ``OpenIDConnect`` integration event (ordercloud-sso.md §4): ``POST {base}/createuser``
or ``{base}/syncuser`` with a JSON body signed by ``X-oc-hash`` over the exact bytes sent, the
custom auth header when configured, one timeout, and **no retry** (a retried ``/createuser``
could create the user twice). ``ErrorMessage`` non-empty, a non-2xx status, an unparsable reply
or a timeout all end the flow; null, missing and ``""`` mean "no error"."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from gatehouse.domain.openid_connects import IntegrationEvent, OpenIdConnect
from gatehouse.domain.sso import SsoFlowError, oc_hash
from gatehouse.domain.users import User
from gatehouse.sso.http_client import SsoHttp

if TYPE_CHECKING:
    import httpx

MAX_REPLY_BYTES = 100_000
MAX_SHOWN = 300


@dataclass(frozen=True, slots=True)
class Payload:
    existing_user: User | None
    config: OpenIdConnect
    id_token: str
    access_token: str | None
    environment: str
    elevated_token: str
    config_data: Any

    def body(self, marketplace_id: str) -> dict[str, Any]:
        """PascalCase as JS12 ``OpenIdConnectPayload``; the token response keeps OAuth's
        snake_case. The config goes without ``ConnectClientSecret`` (decisions.md)."""
        return {
            "ExistingUser": None
            if self.existing_user is None
            else user_wire(self.existing_user, marketplace_id),
            "OpenIdConnect": config_wire(self.config),
            "TokenResponse": {"id_token": self.id_token, "access_token": self.access_token},
            "Environment": self.environment,
            "OrderCloudAccessToken": self.elevated_token,
            "ConfigData": self.config_data,
        }


def config_wire(config: OpenIdConnect) -> dict[str, Any]:
    return {
        "ID": config.id,
        "OrderCloudApiClientID": config.api_client_id,
        "ConnectClientID": config.connect_client_id,
        "ConnectClientSecret": None,
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


def user_wire(user: User, marketplace_id: str) -> dict[str, Any]:
    return {
        "ID": user.id,
        "CompanyID": user.company_id or marketplace_id,
        "Username": user.username,
        "FirstName": user.first_name,
        "LastName": user.last_name,
        "Email": user.email,
        "Phone": user.phone,
        "Active": user.active,
        "xp": user.xp,
    }


def _failure(code: str, message: str, reason: str) -> SsoFlowError:
    return SsoFlowError(code, message, {"Reason": reason})


async def call_event(
    http: SsoHttp,
    event: IntegrationEvent,
    path: str,
    body: dict[str, Any],
    seconds: float,
) -> str | None:
    """POST once; the reply's ``Username`` (``/createuser``) or None."""
    raw = json.dumps(body, separators=(",", ":")).encode()
    headers = {"Content-Type": "application/json", "X-oc-hash": oc_hash(raw, event.hash_key)}
    if event.custom_auth_header_name and event.custom_auth_header_value:
        headers[event.custom_auth_header_name] = event.custom_auth_header_value
    url = f"{event.custom_implementation_url.rstrip('/')}/{path}"
    import httpx  # loaded with the first sign-in (sso/http_client.py)

    try:
        response = await http.client().post(url, content=raw, headers=headers, timeout=seconds)
    except httpx.TimeoutException as exc:
        raise _failure(
            "OpenIdConnect.IntegrationTimeout",
            "The integration event did not answer in time.",
            f"{path} timed out",
        ) from exc
    except httpx.HTTPError as exc:
        raise _failure(
            "OpenIdConnect.IntegrationUnreachable",
            "The integration event could not be reached.",
            f"{path}: {type(exc).__name__}",
        ) from exc
    return _reply(response, path)


def _reply(response: httpx.Response, path: str) -> str | None:
    text = response.content[:MAX_REPLY_BYTES].decode("utf-8", "replace")
    try:
        reply = json.loads(text)
    except ValueError:
        reply = None
    if not 200 <= response.status_code < 300 or not isinstance(reply, dict):
        raise _failure(
            "OpenIdConnect.IntegrationFailed",
            text[:MAX_SHOWN] or f"The integration event answered {response.status_code}.",
            f"{path} answered {response.status_code}",
        )
    message = reply.get("ErrorMessage")
    if message:
        raise _failure(
            "OpenIdConnect.IntegrationEventError",
            str(message)[:MAX_SHOWN],
            f"{path} returned an ErrorMessage",
        )
    username = reply.get("Username")
    return username if isinstance(username, str) and username else None
