"""OpenIdConnect and IntegrationEvent rows ↔ domain objects. ``connect_client_secret`` passes
through as stored (sealed); the service seals and unseals it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from gatehouse.domain.listing import ListQuery
from gatehouse.domain.openid_connects import IntegrationEvent, OpenIdConnect
from gatehouse.storage.listing import ColumnMap, fetch_page
from gatehouse.storage.models import IntegrationEventRow, OpenIdConnectRow

_OIDC = OpenIdConnectRow
_EVENT = IntegrationEventRow
OIDC_COLUMNS = ColumnMap(
    columns={
        "ID": _OIDC.id,
        "OrderCloudApiClientID": _OIDC.api_client_id,
        "ConnectClientID": _OIDC.connect_client_id,
        "AppStartUrl": _OIDC.app_start_url,
        "AuthorizationEndpoint": _OIDC.authorization_endpoint,
        "TokenEndpoint": _OIDC.token_endpoint,
        "UrlEncoded": _OIDC.url_encoded,
        "IntegrationEventID": _OIDC.integration_event_id,
        "CallSyncUserIntegrationEvent": _OIDC.call_sync_user,
        "CustomErrorUrl": _OIDC.custom_error_url,
    }
)
EVENT_COLUMNS = ColumnMap(
    columns={
        "ID": _EVENT.id,
        "Name": _EVENT.name,
        "EventType": _EVENT.event_type,
        "CustomImplementationUrl": _EVENT.custom_implementation_url,
    }
)


def _config(row: OpenIdConnectRow, event_name: str | None) -> OpenIdConnect:
    return OpenIdConnect(
        id=row.id,
        api_client_id=row.api_client_id,
        connect_client_id=row.connect_client_id,
        connect_client_secret=row.connect_client_secret,
        app_start_url=row.app_start_url,
        authorization_endpoint=row.authorization_endpoint,
        token_endpoint=row.token_endpoint,
        url_encoded=row.url_encoded,
        integration_event_id=row.integration_event_id,
        call_sync_user=row.call_sync_user,
        additional_scopes=tuple(row.additional_scopes or ()),
        custom_error_url=row.custom_error_url,
        integration_event_name=event_name,
    )


def _config_values(config: OpenIdConnect) -> dict[str, Any]:
    return {
        "id": config.id,
        "api_client_id": config.api_client_id,
        "connect_client_id": config.connect_client_id,
        "connect_client_secret": config.connect_client_secret,
        "app_start_url": config.app_start_url,
        "authorization_endpoint": config.authorization_endpoint,
        "token_endpoint": config.token_endpoint,
        "url_encoded": config.url_encoded,
        "integration_event_id": config.integration_event_id,
        "call_sync_user": config.call_sync_user,
        "additional_scopes": list(config.additional_scopes),
        "custom_error_url": config.custom_error_url,
    }


def _event(row: IntegrationEventRow) -> IntegrationEvent:
    return IntegrationEvent(
        id=row.id,
        name=row.name,
        event_type=row.event_type,
        custom_implementation_url=row.custom_implementation_url,
        hash_key=row.hash_key,
        elevated_roles=tuple(row.elevated_roles or ()),
        config_data=row.config_data,
        custom_auth_header_name=row.custom_auth_header_name,
        custom_auth_header_value=row.custom_auth_header_value,
    )


def _event_values(event: IntegrationEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "name": event.name,
        "event_type": event.event_type,
        "custom_implementation_url": event.custom_implementation_url,
        "hash_key": event.hash_key,
        "elevated_roles": list(event.elevated_roles),
        "config_data": event.config_data,
        "custom_auth_header_name": event.custom_auth_header_name,
        "custom_auth_header_value": event.custom_auth_header_value,
    }


def _with_event_name() -> Any:
    return select(_OIDC, _EVENT.name).outerjoin(
        _EVENT,
        (_EVENT.marketplace_id == _OIDC.marketplace_id) & (_EVENT.id == _OIDC.integration_event_id),
    )


# --- OpenIdConnect ------------------------------------------------------------------------------


async def get_config(
    session: AsyncSession, *, marketplace_id: str, config_id: str
) -> OpenIdConnect | None:
    found = (
        await session.execute(
            _with_event_name().where(_OIDC.marketplace_id == marketplace_id, _OIDC.id == config_id)
        )
    ).first()
    return None if found is None else _config(found[0], found[1])


async def list_configs(
    session: AsyncSession, *, marketplace_id: str, query: ListQuery
) -> tuple[list[OpenIdConnect], int]:
    stmt = _with_event_name().where(_OIDC.marketplace_id == marketplace_id)
    rows, total = await fetch_page(session, stmt, query, OIDC_COLUMNS)
    return [_config(row[0], row[1]) for row in rows], total


async def insert_config(
    session: AsyncSession, *, marketplace_id: str, config: OpenIdConnect, now: datetime
) -> None:
    session.add(_OIDC(marketplace_id=marketplace_id, created_at=now, **_config_values(config)))
    await session.flush()


async def replace_config(
    session: AsyncSession, *, marketplace_id: str, current_id: str, config: OpenIdConnect
) -> None:
    row = await session.get(_OIDC, (marketplace_id, current_id))
    if row is None:
        raise LookupError(current_id)
    for name, value in _config_values(config).items():
        setattr(row, name, value)
    await session.flush()


async def delete_config(session: AsyncSession, *, marketplace_id: str, config_id: str) -> bool:
    result = await session.execute(
        delete(_OIDC).where(_OIDC.marketplace_id == marketplace_id, _OIDC.id == config_id)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def config_ids_for_client(
    session: AsyncSession, *, marketplace_id: str, client_id: str
) -> tuple[str, ...]:
    ids = await session.scalars(
        select(_OIDC.id)
        .where(_OIDC.marketplace_id == marketplace_id, _OIDC.api_client_id == client_id)
        .order_by(_OIDC.id)
    )
    return tuple(ids)


async def first_config_using_event(
    session: AsyncSession, *, marketplace_id: str, event_id: str
) -> str | None:
    found: str | None = await session.scalar(
        select(_OIDC.id)
        .where(_OIDC.marketplace_id == marketplace_id, _OIDC.integration_event_id == event_id)
        .order_by(_OIDC.id)
        .limit(1)
    )
    return found


async def rename_event_references(
    session: AsyncSession, *, marketplace_id: str, old_id: str, new_id: str
) -> None:
    rows = await session.scalars(
        select(_OIDC).where(
            _OIDC.marketplace_id == marketplace_id, _OIDC.integration_event_id == old_id
        )
    )
    for row in rows:
        row.integration_event_id = new_id
    await session.flush()


# --- IntegrationEvent ---------------------------------------------------------------------------


async def get_event(
    session: AsyncSession, *, marketplace_id: str, event_id: str
) -> IntegrationEvent | None:
    row = await session.get(_EVENT, (marketplace_id, event_id))
    return None if row is None else _event(row)


async def list_events(
    session: AsyncSession, *, marketplace_id: str, query: ListQuery
) -> tuple[list[IntegrationEvent], int]:
    stmt = select(_EVENT).where(_EVENT.marketplace_id == marketplace_id)
    rows, total = await fetch_page(session, stmt, query, EVENT_COLUMNS)
    return [_event(row[0]) for row in rows], total


async def insert_event(
    session: AsyncSession, *, marketplace_id: str, event: IntegrationEvent, now: datetime
) -> None:
    session.add(_EVENT(marketplace_id=marketplace_id, created_at=now, **_event_values(event)))
    await session.flush()


async def replace_event(
    session: AsyncSession, *, marketplace_id: str, current_id: str, event: IntegrationEvent
) -> None:
    row = await session.get(_EVENT, (marketplace_id, current_id))
    if row is None:
        raise LookupError(current_id)
    for name, value in _event_values(event).items():
        setattr(row, name, value)
    await session.flush()


async def delete_event(session: AsyncSession, *, marketplace_id: str, event_id: str) -> bool:
    result = await session.execute(
        delete(_EVENT).where(_EVENT.marketplace_id == marketplace_id, _EVENT.id == event_id)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
