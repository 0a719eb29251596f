"""Turning an anonymous shopper into a user (spec §6.3, §6.4).

``PUT /v1/me/register?anonUserToken=…`` (bearer: an anonymous token) creates a buyer user in
the template user's buyer, copies the template's user-group memberships and user-level
security profile assignments, moves the anonymous order named by the ``anonUserToken``'s
``orderid`` to the new user and returns an access token for it through the bearer's client.
``PUT /v1/me/orders?anonUserToken=…`` (bearer: a registered buyer user) moves that order to
the caller.

Each is one write transaction that begins by recording the ``anonUserToken`` as consumed
(its ``orderid`` is unique per token), so a token works once, a failure leaves nothing
behind, and two concurrent uses cannot both succeed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from gatehouse.domain.api_clients import ApiClient
from gatehouse.domain.errors import (
    DomainError,
    IdExistsError,
    InvalidInputError,
    NotFoundError,
    UnauthenticatedError,
)
from gatehouse.domain.ids import new_object_id
from gatehouse.domain.roles import RoleSet, grant_roles
from gatehouse.domain.users import User, UserIdentity, UserType
from gatehouse.oauth.jwt import TokenCodec
from gatehouse.oauth.minting import MintingContext, mint_access_token
from gatehouse.services.users import UserScope, hash_meeting_policy
from gatehouse.services.users.fields import build_user
from gatehouse.services.users.lookups import username_conflict
from gatehouse.storage.queries import api_clients, orders, user_templates, users
from gatehouse.storage.queries.users import UserRow

if TYPE_CHECKING:  # the registry imports this module to build it
    from gatehouse.services.registry import ServiceDeps

MAX_TOKEN_LENGTH = 8192
MUST_PASS = "The token provided is invalid. Please provide an anonymous user token and try again."


def must_pass_anon_user_token() -> InvalidInputError:
    return InvalidInputError("Auth.MustPassAnonUserToken", MUST_PASS)


@dataclass(frozen=True, slots=True)
class AnonToken:
    """A verified anonymous token: its ``orderid`` and when it expires."""

    order_key: str
    expires_at: datetime


async def verify_anon_token(
    codec: TokenCodec,
    marketplace_of: Callable[[str], Awaitable[str | None]],
    marketplace_id: str,
    token: str | None,
) -> AnonToken:
    """Missing, malformed, badly signed, expired, not anonymous or from another marketplace:
    all 400 ``Auth.MustPassAnonUserToken``."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise must_pass_anon_user_token()
    try:
        claims = await codec.verify(token)
    except DomainError as exc:
        raise must_pass_anon_user_token() from exc
    key, exp, cid = claims.get("orderid"), claims.get("exp"), claims.get("cid")
    if not isinstance(key, str) or not isinstance(exp, int) or not isinstance(cid, str):
        raise must_pass_anon_user_token()
    if "u" in claims or await marketplace_of(cid) != marketplace_id:
        raise must_pass_anon_user_token()
    return AnonToken(key, datetime.fromtimestamp(exp, UTC))


@dataclass(frozen=True, slots=True)
class Registrant:
    """The anonymous bearer of a register call."""

    marketplace_id: str
    client_id: str
    template_username: str
    roles: frozenset[str]
    bearer: AnonToken


class AnonymousService:
    """Registration and order transfer, bound to the process's database, clock and hasher."""

    def __init__(self, deps: ServiceDeps) -> None:
        self._db = deps.db
        self._clock = deps.clock
        self._hasher = deps.hasher

    async def register(
        self, ctx: MintingContext, who: Registrant, anon: AnonToken, fields: dict[str, Any]
    ) -> str:
        """Create the user and move the order in one transaction; return its access token,
        minted through the bearer's client with ``ctx``."""
        template = await self._template(who.marketplace_id, who.template_username)
        scope = UserScope(UserType.BUYER, template.company_id)
        user = build_user(fields.get("id") or new_object_id(), scope, fields)
        password_hash = await self._checked_hash(template, fields.get("password"))
        now = self._clock.now()
        async with self._db.write() as session:
            await _consume(session, who.marketplace_id, anon, now)
            if who.bearer.order_key != anon.order_key:
                await _consume(session, who.marketplace_id, who.bearer, now)
            row = await _insert_user(session, who.marketplace_id, user, password_hash, now)
            await user_templates.copy_template_reach(session, template, row)
            await _move_anonymous_order(session, who.marketplace_id, anon, row, now)
            client, available = await _client_and_roles(session, who, row)
        roles = grant_roles(available, who.roles, client.role_limits)
        minted = await mint_access_token(ctx, client, _identity(row), roles)
        return minted.access_token

    async def transfer_order(
        self,
        marketplace_id: str,
        user_internal_id: int,
        company_id: str | None,
        anon: AnonToken,
    ) -> None:
        """Move the still-anonymous, unsubmitted order of ``anon`` to the calling buyer user."""
        if not company_id:
            raise InvalidInputError(
                message="Only buyer users can take over an anonymous order.",
                data={"Field": "anonUserToken"},
            )
        now = self._clock.now()
        async with self._db.write() as session:
            await _consume(session, marketplace_id, anon, now)
            order = await orders.find_anonymous(
                session, marketplace_id=marketplace_id, key=anon.order_key
            )
            if order is None or order.status != "Unsubmitted":
                raise NotFoundError("Order", anon.order_key)
            await orders.move_to_user(
                session,
                row=order,
                user_internal_id=user_internal_id,
                company_id=company_id,
                now=now,
            )

    async def _template(self, marketplace_id: str, username: str) -> UserRow:
        async with self._db.read() as session:
            row = await users.find_by_username(
                session, marketplace_id=marketplace_id, username=username
            )
        if row is None or row.user_type != UserType.BUYER.value:
            raise UnauthenticatedError()
        return row

    async def _checked_hash(self, template: UserRow, password: str | None) -> str | None:
        """The new user is reached by exactly the template's profiles (company level, copied
        user-level assignments and groups), so the template's effective policy applies."""
        if password is None:
            return None
        async with self._db.read() as session:
            configs = await users.password_configs(
                session,
                marketplace_id=template.marketplace_id,
                user_type=UserType.BUYER,
                company_id=template.company_id,
                row=template,
            )
        return await hash_meeting_policy(self._hasher, configs, password)


async def _consume(
    session: AsyncSession, marketplace_id: str, anon: AnonToken, now: datetime
) -> None:
    if not await orders.consume(
        session,
        marketplace_id=marketplace_id,
        key=anon.order_key,
        now=now,
        expires_at=anon.expires_at,
    ):
        raise must_pass_anon_user_token()


async def _insert_user(
    session: AsyncSession,
    marketplace_id: str,
    user: User,
    password_hash: str | None,
    now: datetime,
) -> UserRow:
    """The new buyer user; its ID and username must be free (409), even under a race."""
    if await users.get_row(
        session,
        marketplace_id=marketplace_id,
        user_type=UserType.BUYER,
        company_id=user.company_id or "",
        user_id=user.id,
    ):
        raise IdExistsError("User", user.id)
    if await users.username_taken(
        session, marketplace_id=marketplace_id, username=user.username, except_internal_id=None
    ):
        raise username_conflict(user.username)
    try:
        return await users.insert(
            session, marketplace_id=marketplace_id, user=user, password_hash=password_hash, now=now
        )
    except IntegrityError as exc:  # a concurrent request took the username or ID
        raise username_conflict(user.username) from exc


async def _move_anonymous_order(
    session: AsyncSession, marketplace_id: str, anon: AnonToken, row: UserRow, now: datetime
) -> None:
    """The anonymous cart, if it was ever saved, becomes the new user's."""
    order = await orders.find_anonymous(session, marketplace_id=marketplace_id, key=anon.order_key)
    if order is not None:
        await orders.move_to_user(
            session, row=order, user_internal_id=row.id, company_id=row.company_id, now=now
        )


async def _client_and_roles(
    session: AsyncSession, who: Registrant, row: UserRow
) -> tuple[ApiClient, RoleSet]:
    """The bearer's client (still active, else 401) and the new user's AvailableRoles."""
    client = await api_clients.get(
        session, marketplace_id=who.marketplace_id, client_id=who.client_id
    )
    if client is None or not client.active:
        raise UnauthenticatedError()
    found = await users.roles_for_rows(session, marketplace_id=who.marketplace_id, rows=[row])
    return client, found.get(row.id, RoleSet())


def _identity(row: UserRow) -> UserIdentity:
    """The registered user as the token names it (a buyer user, active, just created)."""
    return UserIdentity(
        internal_id=row.id,
        username=row.username,
        user_type=UserType.BUYER,
        company_id=row.company_id,
        active=True,
        company_active=True,
        tokens_valid_from=row.tokens_valid_from,
    )
