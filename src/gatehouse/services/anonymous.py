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
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from gatehouse.crypto import PasswordHasher
from gatehouse.domain.clock import Clock
from gatehouse.domain.errors import (
    ConflictError,
    DomainError,
    IdExistsError,
    InvalidInputError,
    NotFoundError,
    UnauthenticatedError,
)
from gatehouse.domain.ids import new_object_id
from gatehouse.domain.roles import RoleSet, grant_roles
from gatehouse.domain.tokens import TokenSubject, access_token_claims, token_times
from gatehouse.domain.users import UserType
from gatehouse.oauth.jwt import TokenCodec
from gatehouse.services import users as user_service
from gatehouse.services.users import UserScope
from gatehouse.storage.db import Database
from gatehouse.storage.models import (
    SecurityProfileAssignmentRow,
    UserGroupAssignmentRow,
    UserRow,
)
from gatehouse.storage.queries import api_clients, orders, users
from gatehouse.storage.queries._upsert import insert_ignoring_duplicates

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


async def register(
    db: Database,
    hasher: PasswordHasher,
    clock: Clock,
    codec: TokenCodec,
    issuer: str,
    who: Registrant,
    anon: AnonToken,
    fields: dict[str, Any],
) -> str:
    """Create the user and move the order in one transaction; return its access token."""
    template = await _template(db, who.marketplace_id, who.template_username)
    scope = UserScope(UserType.BUYER, template.company_id)
    user = user_service._build(fields.get("id") or new_object_id(), scope, fields)
    password_hash = await _checked_hash(db, hasher, template, fields.get("password"))
    now = clock.now()
    async with db.write() as session:
        await _consume(session, who.marketplace_id, anon, now)
        if who.bearer.order_key != anon.order_key:
            await _consume(session, who.marketplace_id, who.bearer, now)
        if await users.get_row(
            session,
            marketplace_id=who.marketplace_id,
            user_type=UserType.BUYER,
            company_id=template.company_id,
            user_id=user.id,
        ):
            raise IdExistsError("User", user.id)
        if await users.username_taken(
            session,
            marketplace_id=who.marketplace_id,
            username=user.username,
            except_internal_id=None,
        ):
            raise ConflictError(
                "User.UsernameMustBeUnique",
                "Username must be unique within the marketplace.",
                {"Username": user.username},
            )
        try:
            row = await users.insert(
                session,
                marketplace_id=who.marketplace_id,
                user=user,
                password_hash=password_hash,
                now=now,
            )
        except IntegrityError as exc:  # a concurrent request took the username or ID
            raise ConflictError(
                "User.UsernameMustBeUnique",
                "Username must be unique within the marketplace.",
                {"Username": user.username},
            ) from exc
        await _copy_template(session, template, row)
        order = await orders.find_anonymous(
            session, marketplace_id=who.marketplace_id, key=anon.order_key
        )
        if order is not None:
            await orders.move_to_user(
                session, row=order, user_internal_id=row.id, company_id=row.company_id, now=now
            )
        client = await api_clients.get(
            session, marketplace_id=who.marketplace_id, client_id=who.client_id
        )
        if client is None or not client.active:
            raise UnauthenticatedError()
        available = (
            await users.roles_for_rows(session, marketplace_id=who.marketplace_id, rows=[row])
        ).get(row.id, RoleSet())
    roles = grant_roles(available, who.roles, client.role_limits)
    times = token_times(now, client.access_token_duration)
    subject = TokenSubject(
        username=row.username,
        client_id=client.id,
        user_type=UserType.BUYER,
        internal_user_id=row.id,
        roles=roles,
    )
    return await codec.sign(access_token_claims(subject, times, issuer))


async def transfer_order(
    db: Database,
    clock: Clock,
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
    now = clock.now()
    async with db.write() as session:
        await _consume(session, marketplace_id, anon, now)
        order = await orders.find_anonymous(
            session, marketplace_id=marketplace_id, key=anon.order_key
        )
        if order is None or order.status != "Unsubmitted":
            raise NotFoundError("Order", anon.order_key)
        await orders.move_to_user(
            session, row=order, user_internal_id=user_internal_id, company_id=company_id, now=now
        )


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


async def _template(db: Database, marketplace_id: str, username: str) -> UserRow:
    async with db.read() as session:
        row = await users.find_by_username(
            session, marketplace_id=marketplace_id, username=username
        )
    if row is None or row.user_type != UserType.BUYER.value:
        raise UnauthenticatedError()
    return row


async def _checked_hash(
    db: Database, hasher: PasswordHasher, template: UserRow, password: str | None
) -> str | None:
    """The new user is reached by exactly the template's profiles (company level, copied
    user-level assignments and groups), so the template's effective policy applies."""
    if password is None:
        return None
    async with db.read() as session:
        configs = await users.password_configs(
            session,
            marketplace_id=template.marketplace_id,
            user_type=UserType.BUYER,
            company_id=template.company_id,
            row=template,
        )
    return await user_service.hash_meeting_policy(hasher, configs, password)


async def _copy_template(session: AsyncSession, template: UserRow, new: UserRow) -> None:
    """The template's group memberships and user-level profile assignments, for the new user."""
    uga, spa = UserGroupAssignmentRow, SecurityProfileAssignmentRow
    groups = await session.execute(
        select(uga.owner_type, uga.company_id, uga.user_group_id).where(
            uga.marketplace_id == template.marketplace_id, uga.user_internal_id == template.id
        )
    )
    for owner_type, company_id, group_id in groups.all():
        await insert_ignoring_duplicates(
            session,
            uga,
            {
                "marketplace_id": template.marketplace_id,
                "owner_type": owner_type,
                "company_id": company_id,
                "user_group_id": group_id,
                "user_internal_id": new.id,
            },
        )
    profiles = await session.execute(
        select(spa.security_profile_id).where(
            spa.marketplace_id == template.marketplace_id,
            spa.buyer_id == template.company_id,
            spa.supplier_id == "",
            spa.user_group_id == "",
            spa.user_id == template.external_id,
        )
    )
    for (profile_id,) in profiles.all():
        await insert_ignoring_duplicates(
            session,
            spa,
            {
                "marketplace_id": template.marketplace_id,
                "security_profile_id": profile_id,
                "buyer_id": template.company_id,
                "supplier_id": "",
                "user_id": new.external_id,
                "user_group_id": "",
            },
        )
