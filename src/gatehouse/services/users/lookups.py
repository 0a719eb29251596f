"""The checks every user use case makes inside its transaction: the company exists, the user
exists, the username is free; and the two things every answer or event needs (the views with
their roles, the audit event). Each takes the caller's session, so it joins its transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from gatehouse.domain import audit
from gatehouse.domain.errors import ConflictError, NotFoundError
from gatehouse.domain.roles import RoleSet
from gatehouse.domain.users import UserType
from gatehouse.services.users.fields import UserScope, UserView
from gatehouse.storage.audit import record
from gatehouse.storage.queries import companies, users
from gatehouse.storage.queries.users import UserRow


async def require_company(session: AsyncSession, marketplace_id: str, scope: UserScope) -> None:
    """Buyer and supplier users live in a company that must exist (404 ``Buyer``/``Supplier``)."""
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


async def check_username(
    session: AsyncSession, marketplace_id: str, username: str, except_id: int | None
) -> None:
    """Usernames are unique across every user type of the marketplace (409)."""
    if await users.username_taken(
        session, marketplace_id=marketplace_id, username=username, except_internal_id=except_id
    ):
        raise username_conflict(username)


def username_conflict(username: str) -> ConflictError:
    return ConflictError(
        "User.UsernameMustBeUnique",
        "Username must be unique within the marketplace.",
        {"Username": username},
    )


async def find(
    session: AsyncSession, marketplace_id: str, scope: UserScope, user_id: str
) -> UserRow | None:
    return await users.get_row(
        session,
        marketplace_id=marketplace_id,
        user_type=scope.user_type,
        company_id=scope.company_id,
        user_id=user_id,
    )


async def require(
    session: AsyncSession, marketplace_id: str, scope: UserScope, user_id: str
) -> UserRow:
    """The user, or 404 with the scope's object type (``AdminUser``, ``User``, …)."""
    row = await find(session, marketplace_id, scope, user_id)
    if row is None:
        raise NotFoundError(scope.object_type, user_id)
    return row


async def views(session: AsyncSession, marketplace_id: str, rows: list[UserRow]) -> list[UserView]:
    """Users with their AvailableRoles, computed for the whole page in one query."""
    roles = await users.roles_for_rows(session, marketplace_id=marketplace_id, rows=rows)
    return [UserView(users.to_domain(row), roles.get(row.id, RoleSet())) for row in rows]


async def audit_user_event(
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
