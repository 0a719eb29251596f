"""User use cases, written once for admin, buyer and supplier users (a ``UserScope`` says
which). Passwords are hashed with argon2id and never returned; a new password must meet the
effective PasswordConfig of the security profiles reaching the user. Buyer and supplier users
live in a company that must exist (404 ``Buyer``/``Supplier`` otherwise)."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from gatehouse.crypto import PasswordHasher
from gatehouse.domain import audit
from gatehouse.domain.clock import Clock
from gatehouse.domain.errors import (
    ConflictError,
    IdExistsError,
    InvalidInputError,
    NotFoundError,
    RequiredFieldError,
    UnauthenticatedError,
)
from gatehouse.domain.ids import is_valid_id, new_object_id
from gatehouse.domain.listing import ListQuery
from gatehouse.domain.passwords import effective_config, meets_policy, policy_of
from gatehouse.domain.roles import RoleSet
from gatehouse.domain.tokens import revocation_threshold, seconds_until
from gatehouse.domain.users import (
    MAX_EMAIL_LENGTH,
    MAX_NAME_LENGTH,
    MAX_USERNAME_LENGTH,
    User,
    UserType,
)
from gatehouse.domain.xp import deep_merge, validate_xp
from gatehouse.services import impersonation_configs
from gatehouse.storage.audit import record
from gatehouse.storage.db import Database
from gatehouse.storage.invalidation import invalidate, user_key
from gatehouse.storage.models import ApiClientRow, UserRow
from gatehouse.storage.queries import companies, users

REQUIRED_ON_WRITE = ("username", "first_name", "last_name", "email", "active")
_WIRE_NAMES = {
    "username": "Username",
    "first_name": "FirstName",
    "last_name": "LastName",
    "email": "Email",
    "active": "Active",
}
_LENGTHS = {
    "username": MAX_USERNAME_LENGTH,
    "first_name": MAX_NAME_LENGTH,
    "last_name": MAX_NAME_LENGTH,
    "email": MAX_EMAIL_LENGTH,
    "phone": MAX_NAME_LENGTH,
}


@dataclass(frozen=True, slots=True)
class UserScope:
    user_type: UserType
    company_id: str = ""

    @property
    def object_type(self) -> str:
        return {"admin": "AdminUser", "buyer": "User", "supplier": "SupplierUser"}[self.user_type]


@dataclass(frozen=True, slots=True)
class UserView:
    user: User
    available_roles: RoleSet


async def get(db: Database, marketplace_id: str, scope: UserScope, user_id: str) -> UserView:
    async with db.read() as session:
        await _require_company(session, marketplace_id, scope)
        row = await _require(session, marketplace_id, scope, user_id)
        return (await _views(session, marketplace_id, [row]))[0]


async def list_page(
    db: Database, marketplace_id: str, scope: UserScope, query: ListQuery
) -> tuple[list[UserView], int]:
    async with db.read() as session:
        await _require_company(session, marketplace_id, scope)
        rows, total = await users.list_page(
            session,
            marketplace_id=marketplace_id,
            user_type=scope.user_type,
            company_id=scope.company_id,
            query=query,
        )
        return await _views(session, marketplace_id, rows), total


async def create(
    db: Database,
    hasher: PasswordHasher,
    clock: Clock,
    marketplace_id: str,
    scope: UserScope,
    fields: dict[str, Any],
) -> UserView:
    user = _build(fields.get("id") or new_object_id(), scope, fields)
    password_hash = await _checked_hash(
        db, hasher, marketplace_id, scope, None, fields.get("password")
    )
    async with db.write() as session:
        await _require_company(session, marketplace_id, scope)
        if await _find(session, marketplace_id, scope, user.id):
            raise IdExistsError(scope.object_type, user.id)
        await _check_username(session, marketplace_id, user.username, None)
        row = await users.insert(
            session,
            marketplace_id=marketplace_id,
            user=user,
            password_hash=password_hash,
            now=clock.now(),
        )
        return (await _views(session, marketplace_id, [row]))[0]


async def replace(
    db: Database,
    hasher: PasswordHasher,
    clock: Clock,
    marketplace_id: str,
    scope: UserScope,
    user_id: str,
    fields: dict[str, Any],
) -> UserView:
    """PUT creates the user when the ID is new, else replaces every writable field."""
    async with db.read() as session:
        await _require_company(session, marketplace_id, scope)
        exists = await _find(session, marketplace_id, scope, user_id)
    if exists is None:
        return await create(db, hasher, clock, marketplace_id, scope, {**fields, "id": user_id})
    return await _update(db, hasher, clock, marketplace_id, scope, user_id, fields, merge=False)


async def patch(
    db: Database,
    hasher: PasswordHasher,
    clock: Clock,
    marketplace_id: str,
    scope: UserScope,
    user_id: str,
    changes: dict[str, Any],
) -> UserView:
    return await _update(db, hasher, clock, marketplace_id, scope, user_id, changes, merge=True)


async def overwrite(
    db: Database,
    hasher: PasswordHasher,
    clock: Clock,
    marketplace_id: str,
    scope: UserScope,
    user_id: str,
    fields: dict[str, Any],
) -> UserView:
    """Replace every writable field of an existing user (PUT without the create case)."""
    return await _update(db, hasher, clock, marketplace_id, scope, user_id, fields, merge=False)


async def delete(db: Database, marketplace_id: str, scope: UserScope, user_id: str) -> None:
    async with db.write() as session:
        await _require_company(session, marketplace_id, scope)
        row = await _require(session, marketplace_id, scope, user_id)
        if await _is_default_context_user(session, marketplace_id, row.username):
            raise ConflictError(
                "User.CannotDeleteDefaultContextUser",
                "This user is the default context user of an API client and cannot be deleted.",
                {"ObjectType": scope.object_type, "ObjectID": user_id},
            )
        await impersonation_configs.refuse_user_delete(
            session, marketplace_id, scope.user_type, scope.company_id, user_id
        )
        await users.delete_row(session, row)
        await invalidate(session, user_key(marketplace_id, row.id))


async def unlock(
    db: Database,
    marketplace_id: str,
    scope: UserScope,
    user_id: str,
    actor: audit.Actor | None = None,
) -> None:
    """Clear a lockout and the failed-login count (spec §2.3), whether or not it was locked."""
    async with db.write() as session:
        await _require_company(session, marketplace_id, scope)
        row = await _require(session, marketplace_id, scope, user_id)
        row.failed_login_attempts = 0
        row.locked_until = None
        await session.flush()
        await _audit(session, audit.USER_UNLOCKED, row, actor)


async def revoke_tokens(
    db: Database,
    clock: Clock,
    marketplace_id: str,
    scope: UserScope,
    user_id: str,
    actor: audit.Actor | None = None,
) -> None:
    """Refuse every access and refresh token issued to the user so far (spec §3.11)."""

    async def find(session: AsyncSession) -> UserRow:
        await _require_company(session, marketplace_id, scope)
        return await _require(session, marketplace_id, scope, user_id)

    await _revoke(db, clock, marketplace_id, find, actor)


async def revoke_own_tokens(
    db: Database,
    clock: Clock,
    marketplace_id: str,
    internal_id: int,
    actor: audit.Actor | None = None,
) -> None:
    """``DELETE /me/tokens``: the caller, known by the token's ``u``, revokes its tokens."""

    async def find(session: AsyncSession) -> UserRow:
        row = await session.get(UserRow, internal_id)
        if row is None or row.marketplace_id != marketplace_id:
            raise UnauthenticatedError()
        return row

    await _revoke(db, clock, marketplace_id, find, actor)


async def revoke_tokens_by_username(
    db: Database, clock: Clock, marketplace_id: str, username: str
) -> None:
    """For operators (``gatehouse users revoke-tokens``), who know a username, not its ID."""

    async def find(session: AsyncSession) -> UserRow:
        row = await session.scalar(
            select(UserRow).where(
                UserRow.marketplace_id == marketplace_id,
                UserRow.username_key == users.username_key(username),
            )
        )
        if row is None:
            raise NotFoundError("User", username)
        return row

    await _revoke(db, clock, marketplace_id, find, audit.CLI)


async def _revoke(
    db: Database,
    clock: Clock,
    marketplace_id: str,
    find: Callable[[AsyncSession], Awaitable[UserRow]],
    actor: audit.Actor | None = None,
) -> None:
    """Raise the user's revocation threshold past every token issued so far and delete their
    refresh tokens in one transaction; every process drops its cached state on commit. Returns
    once the threshold (a microsecond) has passed, so every token issued before the call
    returned is refused and none issued after it (``domain.tokens``)."""
    async with db.write() as session:
        row = await find(session)
        threshold = revocation_threshold(clock.now(), row.tokens_valid_from)
        await users.revoke_tokens(session, row, threshold)
        await invalidate(session, user_key(marketplace_id, row.id))
        await _audit(session, audit.TOKENS_REVOKED, row, actor, clock.now())
    await asyncio.sleep(seconds_until(threshold, clock.now()))


async def _update(
    db: Database,
    hasher: PasswordHasher,
    clock: Clock,
    marketplace_id: str,
    scope: UserScope,
    user_id: str,
    fields: dict[str, Any],
    *,
    merge: bool,
) -> UserView:
    password_hash = await _checked_hash(
        db, hasher, marketplace_id, scope, user_id, fields.get("password")
    )
    async with db.write() as session:
        await _require_company(session, marketplace_id, scope)
        row = await _require(session, marketplace_id, scope, user_id)
        current = users.to_domain(row)
        values = dict(fields)
        if merge:
            if "xp" in values:
                values["xp"] = deep_merge(current.xp, values["xp"])
            values = {
                **_writable(current),
                **{k: v for k, v in values.items() if v is not None or k == "xp"},
            }
        user = _build(values.get("id") or current.id, scope, values)
        if user.id != current.id and await _find(session, marketplace_id, scope, user.id):
            raise IdExistsError(scope.object_type, user.id)
        await _check_username(session, marketplace_id, user.username, row.id)
        if user.id != row.external_id:
            await users.rename_assignments(session, row, user.id)
            await impersonation_configs.follow_rename(
                session,
                marketplace_id,
                scope.user_type,
                scope.company_id,
                group=False,
                old_id=row.external_id,
                new_id=user.id,
            )
        users.apply_changes(row, user)
        if password_hash is not None:
            row.password_hash = password_hash
            row.password_last_set = clock.now()
        await session.flush()
        await invalidate(session, user_key(marketplace_id, row.id))
        return (await _views(session, marketplace_id, [row]))[0]


def _writable(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "phone": user.phone,
        "active": user.active,
        "xp": user.xp,
    }


def _build(user_id: str, scope: UserScope, fields: dict[str, Any]) -> User:
    if not is_valid_id(user_id):
        raise InvalidInputError(
            message="ID may contain only letters, digits, - and _, up to 100 characters.",
            data={"Field": "ID"},
        )
    for name in REQUIRED_ON_WRITE:
        if fields.get(name) in (None, ""):
            raise RequiredFieldError(_WIRE_NAMES[name])
    for name, limit in _LENGTHS.items():
        value = fields.get(name)
        if value is not None and len(value) > limit:
            raise InvalidInputError(
                message=f"{name} may not exceed {limit} characters.", data={"Field": name}
            )
    validate_xp(fields.get("xp"), len(json.dumps(fields.get("xp"))))
    known = {f.name for f in dataclasses.fields(User)}
    values = {k: v for k, v in fields.items() if k in known and k not in ("id", "user_type")}
    return User(
        id=user_id,
        user_type=scope.user_type,
        company_id=scope.company_id or None,
        **values,
    )


async def _checked_hash(
    db: Database,
    hasher: PasswordHasher,
    marketplace_id: str,
    scope: UserScope,
    user_id: str | None,
    password: str | None,
) -> str | None:
    """Check ``password`` against the effective PasswordConfig of the profiles reaching user
    ``user_id`` (``None``: a new user, reached only at company and seller level), then hash it.
    The hash is computed outside any transaction so it never holds the write lock; unknown
    companies and users are refused first, so they cost no hashing."""
    if password is None:
        return None
    async with db.read() as session:
        await _require_company(session, marketplace_id, scope)
        row = await _require(session, marketplace_id, scope, user_id) if user_id else None
        configs = await users.password_configs(
            session,
            marketplace_id=marketplace_id,
            user_type=scope.user_type,
            company_id=scope.company_id,
            row=row,
        )
    return await hash_meeting_policy(hasher, configs, password)


async def hash_meeting_policy(hasher: PasswordHasher, configs: Sequence[Any], password: str) -> str:
    """Hash ``password`` once it meets the effective policy of ``configs`` (the PasswordConfigs
    of the profiles reaching the user), else 400 ``PasswordReset.InsecurePassword``."""
    config = effective_config(configs)
    if not meets_policy(password, policy_of(config)):
        raise InvalidInputError(
            "PasswordReset.InsecurePassword",
            "Password does not meet security requirements.",
            config.as_data(),
        )
    return await hasher.hash(password)


async def _require_company(session: AsyncSession, marketplace_id: str, scope: UserScope) -> None:
    if scope.user_type is UserType.BUYER:
        found = await companies.buyer_exists(
            session, marketplace_id=marketplace_id, buyer_id=scope.company_id
        )
    elif scope.user_type is UserType.SUPPLIER:
        found = await companies.supplier_exists(
            session, marketplace_id=marketplace_id, supplier_id=scope.company_id
        )
    else:
        return
    if not found:
        raise NotFoundError(
            "Buyer" if scope.user_type is UserType.BUYER else "Supplier", scope.company_id
        )


async def _check_username(
    session: AsyncSession, marketplace_id: str, username: str, except_id: int | None
) -> None:
    if await users.username_taken(
        session, marketplace_id=marketplace_id, username=username, except_internal_id=except_id
    ):
        raise ConflictError(
            "User.UsernameMustBeUnique",
            "Username must be unique within the marketplace.",
            {"Username": username},
        )


async def _is_default_context_user(
    session: AsyncSession, marketplace_id: str, username: str
) -> bool:
    names = (
        await session.scalars(
            select(ApiClientRow.default_context_username).where(
                ApiClientRow.marketplace_id == marketplace_id,
                ApiClientRow.default_context_username.is_not(None),
            )
        )
    ).all()
    key = users.username_key(username)
    return any(name and users.username_key(name) == key for name in names)


async def _find(
    session: AsyncSession, marketplace_id: str, scope: UserScope, user_id: str
) -> UserRow | None:
    return await users.get_row(
        session,
        marketplace_id=marketplace_id,
        user_type=scope.user_type,
        company_id=scope.company_id,
        user_id=user_id,
    )


async def _require(
    session: AsyncSession, marketplace_id: str, scope: UserScope, user_id: str
) -> UserRow:
    row = await _find(session, marketplace_id, scope, user_id)
    if row is None:
        raise NotFoundError(scope.object_type, user_id)
    return row


async def _views(session: AsyncSession, marketplace_id: str, rows: list[UserRow]) -> list[UserView]:
    """Users with their AvailableRoles, computed for the whole page in one query."""
    roles = await users.roles_for_rows(session, marketplace_id=marketplace_id, rows=rows)
    return [UserView(users.to_domain(row), roles.get(row.id, RoleSet())) for row in rows]


async def _audit(
    session: AsyncSession,
    event_type: str,
    row: UserRow,
    actor: audit.Actor | None,
    now: datetime | None = None,
) -> None:
    """An event about one user; its client is the one the actor used."""
    who = audit.actor_or_system(actor)
    event = audit.AuditEvent(
        event_type,
        row.marketplace_id,
        who,
        client_id=who.client_id,
        user=audit.AuditUser(row.id, row.username, row.user_type),
        details={"UserID": row.external_id, "CompanyID": row.company_id or None},
    )
    await record(session, event, now)
