"""From a validated ID token to the user (ordercloud-sso.md §3.6, §4; decisions.md).

Integration-event mode: the identity (``iss``, ``sub``) is looked up among the stored links.
Unlinked → ``/createuser``; its ``Username`` names the user (any user type, marketplace-wide)
and the link is stored. Linked → ``/syncuser`` first when ``CallSyncUserIntegrationEvent``,
then the linked user is re-read (its ``Username`` may have changed; a ``Username`` in the sync
reply is ignored).

Legacy mode (no ``IntegrationEventID``): refused unless ``GATEHOUSE_SSO_LEGACY_EMAIL_MATCH``;
then only ``Username`` = a *verified* ``email`` (never the ``ID``, never an unverified email).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gatehouse.domain.openid_connects import IntegrationEvent, OpenIdConnect
from gatehouse.domain.sso import SsoFlowError, legacy_username
from gatehouse.domain.users import UserIdentity, UserType
from gatehouse.oauth.grants.base import GrantContext
from gatehouse.oauth.sso import issue_elevated_token
from gatehouse.settings import Settings
from gatehouse.sso.http_client import SsoHttp
from gatehouse.sso.idp import IdpTokens
from gatehouse.sso.integration import Payload, call_event
from gatehouse.storage.db import Database
from gatehouse.storage.queries import api_clients, users
from gatehouse.storage.queries import openid_connects as configs_q
from gatehouse.storage.queries import sso as sso_q


@dataclass
class IdentityResolver:
    db: Database
    ctx: GrantContext
    settings: Settings
    http: SsoHttp

    async def user_for(
        self, marketplace_id: str, config: OpenIdConnect, claims: dict[str, Any], tokens: IdpTokens
    ) -> int:
        """The internal id of the user to sign in: the linked user (after ``/syncuser`` when
        the config asks for it), or the one ``/createuser`` names, linked from now on."""
        if config.integration_event_id is None:
            return await self._legacy(marketplace_id, claims)
        issuer, subject = str(claims["iss"]), str(claims["sub"])
        event, linked, existing = await self._known(
            marketplace_id, config.integration_event_id, issuer, subject
        )
        if linked is not None and existing is not None:
            if config.call_sync_user:
                payload = await self._payload(marketplace_id, config, tokens, existing_row=existing)
                await self._call(event, "syncuser", payload.body(marketplace_id))
            return linked
        payload = await self._payload(marketplace_id, config, tokens, existing_row=None)
        username = await self._call(event, "createuser", payload.body(marketplace_id))
        return await self._link(marketplace_id, config.id, issuer, subject, username)

    async def _known(
        self, marketplace_id: str, event_id: str, issuer: str, subject: str
    ) -> tuple[IntegrationEvent, int | None, Any]:
        """The config's integration event, and the user linked to (``iss``, ``sub``) if any."""
        async with self.db.read() as session:
            event = await configs_q.get_event(
                session, marketplace_id=marketplace_id, event_id=event_id
            )
            linked = await sso_q.linked_user(
                session, marketplace_id=marketplace_id, issuer=issuer, subject=subject
            )
            existing = (
                await users.get_by_internal_id(
                    session, marketplace_id=marketplace_id, internal_id=linked
                )
                if linked is not None
                else None
            )
        if event is None:
            raise SsoFlowError("NotFound", "The config's IntegrationEvent no longer exists.")
        return event, linked, existing

    async def _call(self, event: IntegrationEvent, path: str, body: dict[str, Any]) -> str | None:
        timeout = self.settings.sso_integration_timeout_seconds
        return await call_event(self.http, event, path, body, timeout)

    async def _link(
        self, marketplace_id: str, config_id: str, issuer: str, subject: str, username: str | None
    ) -> int:
        if username is None:
            raise SsoFlowError(
                "OpenIdConnect.UsernameRequired", "The integration event returned no Username."
            )
        async with self.db.write() as session:
            row = await users.find_by_username(
                session, marketplace_id=marketplace_id, username=username
            )
            if row is None:
                raise SsoFlowError(
                    "Auth.UserNotFound", "The user returned by the integration event was not found."
                )
            await sso_q.save_link(
                session,
                marketplace_id=marketplace_id,
                issuer=issuer,
                subject=subject,
                user_internal_id=row.id,
                config_id=config_id,
                now=self.ctx.clock.now(),
            )
            return row.id

    async def _legacy(self, marketplace_id: str, claims: dict[str, Any]) -> int:
        if not self.settings.sso_legacy_email_match:
            raise SsoFlowError(
                "OpenIdConnect.IntegrationEventRequired",
                "This OpenIdConnect config has no IntegrationEventID; set one (legacy email "
                "matching is off on this server).",
            )
        username = legacy_username(claims)
        async with self.db.read() as session:
            row = await users.find_by_username(
                session, marketplace_id=marketplace_id, username=username
            )
        if row is None:
            raise SsoFlowError("Auth.UserNotFound", "No user has this verified email as Username.")
        return row.id

    async def _payload(
        self,
        marketplace_id: str,
        config: OpenIdConnect,
        tokens: IdpTokens,
        *,
        existing_row: Any,
    ) -> Payload:
        async with self.db.read() as session:
            event = await configs_q.get_event(
                session, marketplace_id=marketplace_id, event_id=config.integration_event_id or ""
            )
        roles = frozenset(event.elevated_roles) if event else frozenset()
        token = await self._elevated_token(marketplace_id, config.api_client_id, roles)
        return Payload(
            existing_user=None if existing_row is None else users.to_domain(existing_row),
            config=config,
            id_token=tokens.id_token,
            access_token=tokens.access_token,
            environment=self.settings.sso_environment,
            elevated_token=token,
            config_data=event.config_data if event else None,
        )

    async def _elevated_token(
        self, marketplace_id: str, preferred_client: str, roles: frozenset[str]
    ) -> str:
        """Through the config's own client when it serves sellers, else the first active
        ``AllowSeller`` client (by ID) whose default context user is an active admin user."""
        async with self.db.read() as session:
            clients = await api_clients.list_all(session, marketplace_id=marketplace_id)
            for client in sorted(clients, key=lambda c: (c.id != preferred_client, c.id)):
                if not (client.active and client.allow_seller and client.default_context_username):
                    continue
                row = await users.find_by_username(
                    session, marketplace_id=marketplace_id, username=client.default_context_username
                )
                if row is None or row.user_type != UserType.ADMIN.value or not row.active:
                    continue
                identity = UserIdentity(
                    row.id, row.username, UserType.ADMIN, None, True, True, row.tokens_valid_from
                )
                return await issue_elevated_token(self.ctx, client, identity, roles)
        raise SsoFlowError(
            "IntegrationEvent.AllowSellerApiClientRequired",
            "An active API client with AllowSeller and an admin default context user is "
            "required to call the integration event.",
        )
