"""Explain a token request without making one (docs/operations.md "Troubleshooting access").

The facts come from the token endpoint's own store (``SqlTokenStore``): the same lookups, in
one read transaction, so the explanation cannot drift from what the endpoint would load. It
only reads: no token, no failed-attempt count, no refresh token, no write of any kind.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gatehouse.domain.errors import InvalidInputError, NotFoundError, RequiredFieldError
from gatehouse.domain.explain import (
    MAX_SCOPE_LENGTH,
    USER_READER_ROLES,
    ExplainClient,
    ExplainUser,
    Explanation,
    GrantType,
    explain,
    user_visible,
)
from gatehouse.domain.ids import normalize_client_id
from gatehouse.domain.roles import parse_scope
from gatehouse.domain.users import MAX_USERNAME_LENGTH
from gatehouse.storage.db import Database
from gatehouse.storage.queries import openid_connects
from gatehouse.storage.queries.token_store import SqlTokenStore, SqlTokenStoreSession

if TYPE_CHECKING:
    from gatehouse.services.registry import ServiceDeps

MAX_CLIENT_ID_LENGTH = 100


def parse_grant_type(value: str | None) -> GrantType:
    if value is None or value == "":
        return GrantType.PASSWORD
    try:
        return GrantType(value)
    except ValueError:
        raise InvalidInputError(
            message="GrantType must be password, client_credentials, anonymous "
            "(client_credentials on an IsAnonBuyer client) or sso.",
            data={"Field": "GrantType"},
        ) from None


def _validate(client_id: str, username: str | None, scope: str | None, grant: GrantType) -> None:
    if not client_id.strip():
        raise RequiredFieldError("ClientID")
    if grant is not GrantType.CLIENT_CREDENTIALS and not (username or "").strip():
        raise RequiredFieldError("Username")
    for field, value, limit in (
        ("ClientID", client_id, MAX_CLIENT_ID_LENGTH),
        ("Username", username, MAX_USERNAME_LENGTH),
        ("Scope", scope, MAX_SCOPE_LENGTH),
    ):
        if value is not None and len(value) > limit:
            raise InvalidInputError(
                message=f"{field} may not exceed {limit} characters.", data={"Field": field}
            )


class ExplainService:
    """Explains why a client or user would or would not get a token."""

    def __init__(self, deps: ServiceDeps) -> None:
        self._db = deps.db
        self._clock = deps.clock

    async def explain_access(
        self,
        *,
        marketplace_id: str | None,
        client_id: str,
        username: str | None,
        scope: str | None,
        grant_type: str | None,
        caller_roles: frozenset[str] | None,
    ) -> tuple[Explanation, str | None]:
        """The explanation and the username it is about (the default context user's for client
        credentials). ``marketplace_id`` ``None`` finds the client in any marketplace (the CLI);
        ``caller_roles`` ``None`` sees every user (an operator on the server), otherwise a user the
        roles cannot read is reported exactly like a missing one."""
        grant = parse_grant_type(grant_type)
        _validate(client_id, username, scope, grant)
        async with SqlTokenStore(self._db).session() as session:
            record = await session.find_client(normalize_client_id(client_id.strip()))
            if record is None or marketplace_id not in (None, record.marketplace_id):
                raise NotFoundError("ApiClient", client_id)
            buyers, suppliers = await session.assigned_companies(record.client.id)
            client = ExplainClient(
                record.client,
                record.marketplace_active,
                record.named_secrets,
                frozenset(buyers),
                frozenset(suppliers),
                await _sso_configs(self._db, record.marketplace_id, record.client.id, grant),
            )
            name = (
                record.client.default_context_username
                if grant is GrantType.CLIENT_CREDENTIALS
                else username
            )
            user = None
            if name:
                user = await _visible_user(session, record.marketplace_id, name, caller_roles)
        return explain(grant, client, user, parse_scope(scope), self._clock.now()), name


async def _sso_configs(
    db: Database, marketplace_id: str, client_id: str, grant: GrantType
) -> tuple[str, ...]:
    if grant is not GrantType.SSO:
        return ()
    async with db.read() as session:
        return await openid_connects.config_ids_for_client(
            session, marketplace_id=marketplace_id, client_id=client_id
        )


async def _visible_user(
    session: SqlTokenStoreSession,
    marketplace_id: str,
    username: str,
    caller_roles: frozenset[str] | None,
) -> ExplainUser | None:
    """The user, or ``None`` when missing *or* not readable by the caller. A caller who may
    read no user type at all is not even looked up, so nothing (timing included) differs."""
    if caller_roles is not None and not any(
        user_visible(caller_roles, user_type) for user_type in USER_READER_ROLES
    ):
        return None
    login = await session.find_login(marketplace_id, username)
    if login is None:
        return None
    if caller_roles is not None and not user_visible(caller_roles, login.identity.user_type):
        return None
    available = await session.available_roles(marketplace_id, login.identity.internal_id)
    return ExplainUser(
        identity=login.identity,
        has_password=login.password_hash is not None,
        lock=login.lock,
        password_last_set=login.password_last_set,
        password_config=login.password_config,
        available=available,
    )
