"""User use cases, written once for admin, buyer and supplier users (a ``UserScope`` says
which). Passwords are hashed with argon2id and never returned; a new password must meet the
effective PasswordConfig of the security profiles reaching the user (``passwords``). Buyer and
supplier users live in a company that must exist (404 ``Buyer``/``Supplier`` otherwise)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from gatehouse.domain import audit
from gatehouse.domain.errors import ConflictError, IdExistsError
from gatehouse.domain.ids import new_object_id
from gatehouse.domain.listing import ListQuery
from gatehouse.domain.users import User
from gatehouse.services import impersonation_configs
from gatehouse.services.users import lookups
from gatehouse.services.users.fields import UserScope, UserView, build_user, merged
from gatehouse.services.users.passwords import checked_hash
from gatehouse.storage.invalidation import invalidate, user_key
from gatehouse.storage.queries import user_pages, users
from gatehouse.storage.queries.users import UserRow

if TYPE_CHECKING:  # the registry imports this module to build it
    from gatehouse.services.registry import ServiceDeps


class UserService:
    """Reads and writes of admin, buyer and supplier users, bound to the process's database,
    clock and hasher."""

    def __init__(self, deps: ServiceDeps) -> None:
        self._db = deps.db
        self._clock = deps.clock
        self._hasher = deps.hasher

    async def get(self, marketplace_id: str, scope: UserScope, user_id: str) -> UserView:
        async with self._db.read() as session:
            await lookups.require_company(session, marketplace_id, scope)
            row = await lookups.require(session, marketplace_id, scope, user_id)
            return (await lookups.views(session, marketplace_id, [row]))[0]

    async def list_page(
        self, marketplace_id: str, scope: UserScope, query: ListQuery
    ) -> tuple[list[UserView], int]:
        """One page and its total. The company is checked only for an empty page: a user
        row proves its company exists (deleting a company deletes its users)."""
        async with self._db.read() as session:
            found, total = await user_pages.list_page(
                session,
                marketplace_id=marketplace_id,
                user_type=scope.user_type,
                company_id=scope.company_id,
                query=query,
            )
            if not found:
                await lookups.require_company(session, marketplace_id, scope)
            return [UserView(user, roles) for user, roles in found], total

    async def create(
        self, marketplace_id: str, scope: UserScope, fields: dict[str, Any]
    ) -> UserView:
        user = build_user(fields.get("id") or new_object_id(), scope, fields)
        password_hash = await self._hash(marketplace_id, scope, None, fields.get("password"))
        async with self._db.write() as session:
            await lookups.require_company(session, marketplace_id, scope)
            if await lookups.find(session, marketplace_id, scope, user.id):
                raise IdExistsError(scope.object_type, user.id)
            await lookups.check_username(session, marketplace_id, user.username, None)
            row = await users.insert(
                session,
                marketplace_id=marketplace_id,
                user=user,
                password_hash=password_hash,
                now=self._clock.now(),
            )
            return (await lookups.views(session, marketplace_id, [row]))[0]

    async def replace(
        self, marketplace_id: str, scope: UserScope, user_id: str, fields: dict[str, Any]
    ) -> UserView:
        """PUT creates the user when the ID is new, else replaces every writable field."""
        async with self._db.read() as session:
            await lookups.require_company(session, marketplace_id, scope)
            exists = await lookups.find(session, marketplace_id, scope, user_id)
        if exists is None:
            return await self.create(marketplace_id, scope, {**fields, "id": user_id})
        return await self._update(marketplace_id, scope, user_id, fields, merge=False)

    async def patch(
        self, marketplace_id: str, scope: UserScope, user_id: str, changes: dict[str, Any]
    ) -> UserView:
        return await self._update(marketplace_id, scope, user_id, changes, merge=True)

    async def overwrite(
        self, marketplace_id: str, scope: UserScope, user_id: str, fields: dict[str, Any]
    ) -> UserView:
        """Replace every writable field of an existing user (PUT without the create case)."""
        return await self._update(marketplace_id, scope, user_id, fields, merge=False)

    async def delete(self, marketplace_id: str, scope: UserScope, user_id: str) -> None:
        async with self._db.write() as session:
            await lookups.require_company(session, marketplace_id, scope)
            row = await lookups.require(session, marketplace_id, scope, user_id)
            if await users.is_default_context_user(
                session, marketplace_id=marketplace_id, username=row.username
            ):
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
        self,
        marketplace_id: str,
        scope: UserScope,
        user_id: str,
        actor: audit.Actor | None = None,
    ) -> None:
        """Clear a lockout and the failed-login count (spec §2.3), whether or not it was locked."""
        async with self._db.write() as session:
            await lookups.require_company(session, marketplace_id, scope)
            row = await lookups.require(session, marketplace_id, scope, user_id)
            await users.clear_lockout(session, row)
            await lookups.audit_user_event(session, audit.USER_UNLOCKED, row, actor)

    async def _hash(
        self, marketplace_id: str, scope: UserScope, user_id: str | None, password: str | None
    ) -> str | None:
        return await checked_hash(self._db, self._hasher, marketplace_id, scope, user_id, password)

    async def _update(
        self,
        marketplace_id: str,
        scope: UserScope,
        user_id: str,
        fields: dict[str, Any],
        *,
        merge: bool,
    ) -> UserView:
        password_hash = await self._hash(marketplace_id, scope, user_id, fields.get("password"))
        async with self._db.write() as session:
            await lookups.require_company(session, marketplace_id, scope)
            row = await lookups.require(session, marketplace_id, scope, user_id)
            current = users.to_domain(row)
            values = merged(current, fields) if merge else dict(fields)
            user = build_user(values.get("id") or current.id, scope, values)
            await self._check_new_identity(session, marketplace_id, scope, row, user)
            users.apply_changes(row, user)
            if password_hash is not None:
                await users.set_password_hash(session, row, password_hash, self._clock.now())
            await session.flush()
            await invalidate(session, user_key(marketplace_id, row.id))
            return (await lookups.views(session, marketplace_id, [row]))[0]

    @staticmethod
    async def _check_new_identity(
        session: AsyncSession, marketplace_id: str, scope: UserScope, row: UserRow, user: User
    ) -> None:
        """A changed ID must be free (409) and takes its assignments and impersonation configs
        along; the username must stay unique."""
        if user.id != row.external_id and await lookups.find(
            session, marketplace_id, scope, user.id
        ):
            raise IdExistsError(scope.object_type, user.id)
        await lookups.check_username(session, marketplace_id, user.username, row.id)
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
