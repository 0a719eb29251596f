"""OpenIdConnect and IntegrationEvent use cases (ordercloud-sso.md §2.2–2.3, §4.1): CRUD with
reference checks, ``ConnectClientSecret`` sealed at rest, ``IntegrationEvent.CannotDeleteInUse``
and ``IntegrationEvent.IncompatibleEventType``."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from gatehouse.domain.clock import Clock
from gatehouse.domain.errors import IdExistsError, NotFoundError
from gatehouse.domain.ids import new_object_id
from gatehouse.domain.listing import ListQuery
from gatehouse.domain.openid_connects import (
    INTEGRATION_EVENT,
    OPENID_CONNECT,
    OPENID_EVENT_TYPE,
    IntegrationEvent,
    OpenIdConnect,
    build_integration_event,
    build_openid_connect,
    event_in_use,
    incompatible_event_type,
)
from gatehouse.storage.db import Database
from gatehouse.storage.queries import api_clients
from gatehouse.storage.queries import openid_connects as q
from gatehouse.storage.sealing import SecretSealer
from gatehouse.storage.sealing import connect_secret_purpose as secret_purpose

if TYPE_CHECKING:
    from gatehouse.services.registry import ServiceDeps

_CONFIG_FIELDS = (
    "api_client_id",
    "connect_client_id",
    "connect_client_secret",
    "app_start_url",
    "authorization_endpoint",
    "token_endpoint",
    "url_encoded",
    "integration_event_id",
    "call_sync_user",
    "additional_scopes",
    "custom_error_url",
)


class OpenIdConnects:
    """The config use cases, with the secret box that seals ``ConnectClientSecret``."""

    def __init__(self, db: Database, clock: Clock, sealer: SecretSealer) -> None:
        self._db = db
        self._clock = clock
        self._sealer = sealer

    def _open(self, marketplace_id: str, config: OpenIdConnect) -> OpenIdConnect:
        secret = self._sealer.decrypt(
            config.connect_client_secret, purpose=secret_purpose(marketplace_id, config.id)
        )
        return dataclasses.replace(config, connect_client_secret=secret)

    def _seal(self, marketplace_id: str, config: OpenIdConnect) -> OpenIdConnect:
        sealed = self._sealer.encrypt(
            config.connect_client_secret, purpose=secret_purpose(marketplace_id, config.id)
        )
        return dataclasses.replace(config, connect_client_secret=sealed)

    async def get(self, marketplace_id: str, config_id: str) -> OpenIdConnect:
        async with self._db.read() as session:
            config = await _require_config(session, marketplace_id, config_id)
        return self._open(marketplace_id, config)

    async def find(self, marketplace_id: str, config_id: str) -> OpenIdConnect | None:
        async with self._db.read() as session:
            config = await q.get_config(session, marketplace_id=marketplace_id, config_id=config_id)
        return None if config is None else self._open(marketplace_id, config)

    async def list_page(
        self, marketplace_id: str, query: ListQuery
    ) -> tuple[list[OpenIdConnect], int]:
        async with self._db.read() as session:
            configs, total = await q.list_configs(
                session, marketplace_id=marketplace_id, query=query
            )
        return [self._open(marketplace_id, c) for c in configs], total

    async def create(self, marketplace_id: str, fields: dict[str, Any]) -> OpenIdConnect:
        config = build_openid_connect(fields.get("id") or new_object_id(), fields)
        async with self._db.write() as session:
            if await q.get_config(session, marketplace_id=marketplace_id, config_id=config.id):
                raise IdExistsError(OPENID_CONNECT, config.id)
            config = await _checked(session, marketplace_id, config)
            await q.insert_config(
                session,
                marketplace_id=marketplace_id,
                config=self._seal(marketplace_id, config),
                now=self._clock.now(),
            )
        return config

    async def save(
        self, marketplace_id: str, config_id: str, fields: dict[str, Any], *, partial: bool
    ) -> OpenIdConnect:
        """PUT (create or replace every field) and PATCH (only the sent fields). An ``ID`` in
        the body renames."""
        async with self._db.write() as session:
            current = await q.get_config(
                session, marketplace_id=marketplace_id, config_id=config_id
            )
            if current is None and partial:
                raise NotFoundError(OPENID_CONNECT, config_id)
            merged = dict(fields)
            if partial and current is not None:
                opened = self._open(marketplace_id, current)
                merged = {name: getattr(opened, name) for name in _CONFIG_FIELDS} | fields
            new_id = fields.get("id") or config_id
            config = await _checked(session, marketplace_id, build_openid_connect(new_id, merged))
            if current is None:
                await q.insert_config(
                    session,
                    marketplace_id=marketplace_id,
                    config=self._seal(marketplace_id, config),
                    now=self._clock.now(),
                )
                return config
            if new_id != current.id and await q.get_config(
                session, marketplace_id=marketplace_id, config_id=new_id
            ):
                raise IdExistsError(OPENID_CONNECT, new_id)
            await q.replace_config(
                session,
                marketplace_id=marketplace_id,
                current_id=current.id,
                config=self._seal(marketplace_id, config),
            )
        return config

    async def delete(self, marketplace_id: str, config_id: str) -> None:
        async with self._db.write() as session:
            if not await q.delete_config(
                session, marketplace_id=marketplace_id, config_id=config_id
            ):
                raise NotFoundError(OPENID_CONNECT, config_id)


async def _require_config(
    session: AsyncSession, marketplace_id: str, config_id: str
) -> OpenIdConnect:
    config = await q.get_config(session, marketplace_id=marketplace_id, config_id=config_id)
    if config is None:
        raise NotFoundError(OPENID_CONNECT, config_id)
    return config


async def _checked(
    session: AsyncSession, marketplace_id: str, config: OpenIdConnect
) -> OpenIdConnect:
    """The client and the event must exist in this marketplace (404 naming them); the event
    must be an ``OpenIDConnect`` one. Returns the config with its read-only event name."""
    if not await api_clients.get(
        session, marketplace_id=marketplace_id, client_id=config.api_client_id
    ):
        raise NotFoundError("ApiClient", config.api_client_id)
    if config.integration_event_id is None:
        return config
    event = await q.get_event(
        session, marketplace_id=marketplace_id, event_id=config.integration_event_id
    )
    if event is None:
        raise NotFoundError(INTEGRATION_EVENT, config.integration_event_id)
    if event.event_type != OPENID_EVENT_TYPE:
        raise incompatible_event_type()
    return dataclasses.replace(config, integration_event_name=event.name)


# --- IntegrationEvent ---------------------------------------------------------------------------

_EVENT_FIELDS = (
    "name",
    "event_type",
    "custom_implementation_url",
    "hash_key",
    "elevated_roles",
    "config_data",
    "custom_auth_header_name",
    "custom_auth_header_value",
)


class IntegrationEventService:
    """IntegrationEvents (the SSO flow's event configs) of every marketplace."""

    def __init__(self, deps: ServiceDeps) -> None:
        self._db = deps.db
        self._clock = deps.clock

    async def get_event(self, marketplace_id: str, event_id: str) -> IntegrationEvent:
        async with self._db.read() as session:
            event = await q.get_event(session, marketplace_id=marketplace_id, event_id=event_id)
        if event is None:
            raise NotFoundError(INTEGRATION_EVENT, event_id)
        return event

    async def list_events(
        self, marketplace_id: str, query: ListQuery
    ) -> tuple[list[IntegrationEvent], int]:
        async with self._db.read() as session:
            return await q.list_events(session, marketplace_id=marketplace_id, query=query)

    async def create_event(self, marketplace_id: str, fields: dict[str, Any]) -> IntegrationEvent:
        event = build_integration_event(fields.get("id") or new_object_id(), fields)
        async with self._db.write() as session:
            if await q.get_event(session, marketplace_id=marketplace_id, event_id=event.id):
                raise IdExistsError(INTEGRATION_EVENT, event.id)
            await q.insert_event(
                session, marketplace_id=marketplace_id, event=event, now=self._clock.now()
            )
        return event

    async def save_event(
        self,
        marketplace_id: str,
        event_id: str,
        fields: dict[str, Any],
        *,
        partial: bool,
    ) -> IntegrationEvent:
        async with self._db.write() as session:
            current = await q.get_event(session, marketplace_id=marketplace_id, event_id=event_id)
            if current is None:
                if partial:
                    raise NotFoundError(INTEGRATION_EVENT, event_id)
                event = build_integration_event(fields.get("id") or event_id, fields)
                await q.insert_event(
                    session, marketplace_id=marketplace_id, event=event, now=self._clock.now()
                )
                return event
            merged = fields
            if partial:
                merged = {name: getattr(current, name) for name in _EVENT_FIELDS} | fields
            event = build_integration_event(fields.get("id") or current.id, merged, current=current)
            if event.id != current.id:
                if await q.get_event(session, marketplace_id=marketplace_id, event_id=event.id):
                    raise IdExistsError(INTEGRATION_EVENT, event.id)
                await q.rename_event_references(
                    session, marketplace_id=marketplace_id, old_id=current.id, new_id=event.id
                )
            await q.replace_event(
                session, marketplace_id=marketplace_id, current_id=current.id, event=event
            )
        return event

    async def delete_event(self, marketplace_id: str, event_id: str) -> None:
        async with self._db.write() as session:
            user = await q.first_config_using_event(
                session, marketplace_id=marketplace_id, event_id=event_id
            )
            if user is not None:
                raise event_in_use(user)
            if not await q.delete_event(session, marketplace_id=marketplace_id, event_id=event_id):
                raise NotFoundError(INTEGRATION_EVENT, event_id)
