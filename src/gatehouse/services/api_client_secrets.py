"""Named API client secret use cases (spec §1.2, §2.2): list, create (the only time the value
is seen), get, patch and delete. Every write locks the client's row first, so the ten-secret
limit and ID uniqueness hold under concurrent requests."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from gatehouse.crypto import sha256_hex
from gatehouse.domain import audit
from gatehouse.domain.api_client_secrets import (
    OBJECT_TYPE,
    ApiClientSecret,
    as_utc,
    check_expiration,
    check_room_for_one_more,
    check_rotatable,
    generate_secret_value,
    id_exists,
    validate_secret,
)
from gatehouse.domain.errors import NotFoundError
from gatehouse.domain.ids import new_object_id, normalize_client_id
from gatehouse.domain.incidents import overlap_end
from gatehouse.domain.listing import ListQuery
from gatehouse.storage.audit import record
from gatehouse.storage.invalidation import client_key, invalidate
from gatehouse.storage.queries import api_client_secrets as secrets_q

if TYPE_CHECKING:
    from gatehouse.services.registry import ServiceDeps


@dataclasses.dataclass(frozen=True, slots=True)
class CreatedSecret:
    """The create response: the secret and, this once, its value."""

    secret: ApiClientSecret
    value: str


class ApiClientSecretService:
    """API client secrets: created, listed, patched, deleted and rotated."""

    def __init__(self, deps: ServiceDeps) -> None:
        self._db = deps.db
        self._clock = deps.clock

    async def list_page(
        self, marketplace_id: str, client_id: str, query: ListQuery
    ) -> tuple[list[ApiClientSecret], int]:
        async with self._db.read() as session:
            client = await _require_client(session, marketplace_id, client_id)
            return await secrets_q.list_page(session, client_id=client, query=query)

    async def get(self, marketplace_id: str, client_id: str, secret_id: str) -> ApiClientSecret:
        async with self._db.read() as session:
            client = await _require_client(session, marketplace_id, client_id)
            return await _require(session, client, secret_id)

    async def create(
        self,
        marketplace_id: str,
        client_id: str,
        fields: dict[str, Any],
        actor: audit.Actor | None = None,
    ) -> CreatedSecret:
        now = self._clock.now()
        secret = _build(fields.get("id") or new_object_id(), fields, now)
        value = generate_secret_value()
        async with self._db.write() as session:
            client = await _add(session, marketplace_id, client_id, secret, value, now)
            expiration = None if secret.expiration is None else secret.expiration.isoformat()
            details = {"SecretID": secret.id, "Name": secret.name, "Expiration": expiration}
            await _audit(session, audit.SECRET_CREATED, marketplace_id, client, actor, details, now)
        return CreatedSecret(secret, value)

    async def patch(
        self,
        marketplace_id: str,
        client_id: str,
        secret_id: str,
        changes: dict[str, Any],
        actor: audit.Actor | None = None,
    ) -> ApiClientSecret:
        """Only the sent fields change; ``Expiration: null`` removes the expiry. An expiry is
        checked only when sent, so renaming an expired secret is allowed."""
        async with self._db.write() as session:
            client = await _lock_client(session, marketplace_id, client_id)
            current = await _require(session, client, secret_id)
            merged: dict[str, Any] = {
                "id": current.id,
                "name": current.name,
                "expiration": current.expiration,
            }
            merged.update(changes)
            now = self._clock.now() if "expiration" in changes else None
            secret = _build(merged["id"] or current.id, merged, now)
            if secret.id != current.id and await secrets_q.get(
                session, client_id=client, secret_id=secret.id
            ):
                raise id_exists(secret.id)
            await secrets_q.update_secret(
                session, client_id=client, current_id=current.id, secret=secret
            )
            await invalidate(session, client_key(client))
            details = {"SecretID": current.id, "Fields": audit.changed_fields(current, secret)}
            await _audit(session, audit.SECRET_UPDATED, marketplace_id, client, actor, details)
            return secret

    async def delete(
        self,
        marketplace_id: str,
        client_id: str,
        secret_id: str,
        actor: audit.Actor | None = None,
    ) -> None:
        async with self._db.write() as session:
            client = await _lock_client(session, marketplace_id, client_id)
            if not await secrets_q.delete_secret(session, client_id=client, secret_id=secret_id):
                raise NotFoundError(OBJECT_TYPE, secret_id)
            await invalidate(session, client_key(client))
            details = {"SecretID": secret_id}
            await _audit(session, audit.SECRET_DELETED, marketplace_id, client, actor, details)

    async def rotate(
        self,
        marketplace_id: str,
        client_id: str,
        fields: dict[str, Any],
        overlap_minutes: object,
        actor: audit.Actor | None = None,
        *,
        add_secret: bool = False,
    ) -> Rotation:
        """Create a new named secret and make every other named secret expire after the overlap,
        in one transaction: systems move to the new secret while the old one still works, and no
        other client is touched. A client with no secret, or an anonymous-buyer client, is
        refused unless ``add_secret`` (``check_rotatable``)."""
        now = self._clock.now()
        until = overlap_end(now, overlap_minutes)
        secret = _build(fields.get("id") or new_object_id(), fields, now)
        value = generate_secret_value()
        async with self._db.write() as session:
            await _check_rotatable(session, marketplace_id, client_id, add_secret)
            client = await _add(session, marketplace_id, client_id, secret, value, now)
            replaced = await secrets_q.expire_others(
                session, client_id=client, keep_id=secret.id, until=until
            )
            legacy = await secrets_q.has_legacy_secret(session, client_id=client)
            await invalidate(session, client_key(client))
            details = {
                "SecretID": secret.id,
                "Name": secret.name,
                "Rotation": True,
                "OldSecretsExpire": until.isoformat(),
                "ReplacedSecrets": replaced,
            }
            await _audit(session, audit.SECRET_CREATED, marketplace_id, client, actor, details, now)
        return Rotation(CreatedSecret(secret, value), until, replaced, legacy)


async def _add(
    session: AsyncSession,
    marketplace_id: str,
    client_id: str,
    secret: ApiClientSecret,
    value: str,
    now: datetime,
) -> str:
    """Store a new secret's hash under the client's row lock (the ten-secret limit and ID
    uniqueness hold under concurrent requests); returns the client's stored ID."""
    client = await _lock_client(session, marketplace_id, client_id)
    check_room_for_one_more(await secrets_q.count(session, client_id=client))
    if await secrets_q.get(session, client_id=client, secret_id=secret.id) is not None:
        raise id_exists(secret.id)
    await secrets_q.insert(
        session,
        marketplace_id=marketplace_id,
        client_id=client,
        secret=secret,
        sha256=sha256_hex(value),
        now=now,
    )
    await invalidate(session, client_key(client))
    return client


def _build(secret_id: str, fields: dict[str, Any], now: datetime | None) -> ApiClientSecret:
    """Validate a secret; ``now`` is given when its expiry must be checked."""
    secret = ApiClientSecret(
        id=secret_id, name=fields.get("name") or "", expiration=as_utc(fields.get("expiration"))
    )
    validate_secret(secret)
    if now is not None:
        check_expiration(secret.expiration, now)
    return secret


async def _require_client(session: AsyncSession, marketplace_id: str, client_id: str) -> str:
    """The client's stored (lowercase) ID; 404 when it is not in this marketplace."""
    normalized = normalize_client_id(client_id)
    if not await secrets_q.client_exists(
        session, marketplace_id=marketplace_id, client_id=normalized
    ):
        raise NotFoundError("ApiClient", client_id)
    return normalized


async def _lock_client(session: AsyncSession, marketplace_id: str, client_id: str) -> str:
    """As ``_require_client``, holding the client's row until the transaction ends."""
    normalized = normalize_client_id(client_id)
    if not await secrets_q.client_exists(
        session, marketplace_id=marketplace_id, client_id=normalized, lock=True
    ):
        raise NotFoundError("ApiClient", client_id)
    return normalized


async def _require(session: AsyncSession, client_id: str, secret_id: str) -> ApiClientSecret:
    secret = await secrets_q.get(session, client_id=client_id, secret_id=secret_id)
    if secret is None:
        raise NotFoundError(OBJECT_TYPE, secret_id)
    return secret


@dataclasses.dataclass(frozen=True, slots=True)
class Rotation:
    """A rotation's outcome: the new secret (with its value, this once), when the replaced
    secrets stop working, and whether a legacy ``ClientSecret`` (which has no expiry) is still
    set and must be removed by hand once every system uses the new secret."""

    created: CreatedSecret
    old_secrets_expire: datetime
    replaced: int
    legacy_secret_set: bool


async def _check_rotatable(
    session: AsyncSession, marketplace_id: str, client_id: str, add_secret: bool
) -> None:
    client = await _lock_client(session, marketplace_id, client_id)
    has_secret = await secrets_q.count(session, client_id=client) > 0
    has_secret = has_secret or await secrets_q.has_legacy_secret(session, client_id=client)
    anon = await secrets_q.is_anon_buyer(session, client_id=client)
    check_rotatable(has_secret=has_secret, is_anon_buyer=anon, add_secret=add_secret)


async def _audit(
    session: AsyncSession,
    event_type: str,
    marketplace_id: str,
    client_id: str,
    actor: audit.Actor | None,
    details: dict[str, Any],
    now: datetime | None = None,
) -> None:
    """Names and IDs only: the secret's value and hash never reach the audit trail."""
    event = audit.AuditEvent(
        event_type,
        marketplace_id,
        audit.actor_or_system(actor),
        client_id=client_id,
        details=details,
    )
    await record(session, event, now)
