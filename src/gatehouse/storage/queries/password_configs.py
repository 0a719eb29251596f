"""The PasswordConfigs that reach a user: read on every login, so the statement is prebuilt.

Building a SQLAlchemy select (joins, comparisons, the group subquery) cost more of a password
grant's event-loop time than running it (issue 12, ``bench/login_cpu.py``). The statements
differ only by the user's type and by whether a user row exists, so the six of them are built
once, at import, with bound parameters; their compiled form is cached by SQLAlchemy too.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from gatehouse.domain.security_profiles import ProfileHolder, assignment_reaches
from gatehouse.domain.users import UserType
from gatehouse.storage.models import (
    SecurityProfileAssignmentRow,
    SecurityProfileRow,
    UserGroupAssignmentRow,
    UserRow,
)
from gatehouse.storage.queries.security_profiles import assignment


async def password_configs(
    session: AsyncSession,
    *,
    marketplace_id: str,
    user_type: UserType,
    company_id: str,
    row: UserRow | None = None,
) -> list[Any]:
    """The stored PasswordConfigs (``None`` where a profile has none) of every profile whose
    assignment reaches the user of ``row``; with no row, of a user about to be created in that
    company, whom only company- and seller-level assignments can reach yet.

    One query (the token endpoint runs it on every login): group membership is a subquery, so
    every group assignment returned is one of the user's own groups."""
    params: dict[str, Any] = {
        "marketplace_id": marketplace_id,
        "company_id": company_id,
        "user_id": row.external_id if row else "",
    }
    if row is not None:
        params |= {
            "row_marketplace_id": row.marketplace_id,
            "row_internal_id": row.id,
            "row_user_type": row.user_type,
            "row_company_id": row.company_id,
        }
    stmt = _STATEMENTS[(user_type, row is not None)]
    found = [(assignment(a), config) for a, config in (await session.execute(stmt, params)).all()]
    holder = ProfileHolder(
        user_type=user_type,
        user_id=row.external_id if row else "",
        company_id=company_id or None,
        group_ids=frozenset(a.user_group_id for a, _ in found if a.user_group_id),
    )
    return [config for a, config in found if assignment_reaches(a, holder)]


def _owner_reach(user_type: UserType) -> ColumnElement[bool]:
    spa = SecurityProfileAssignmentRow
    if user_type is UserType.BUYER:
        return spa.buyer_id == bindparam("company_id")
    if user_type is UserType.SUPPLIER:
        return spa.supplier_id == bindparam("company_id")
    return (spa.buyer_id == "") & (spa.supplier_id == "")


def _statement(user_type: UserType, with_row: bool) -> Any:
    """Assignments (and their profile's PasswordConfig) at the user's owner, to the user or
    to nobody in particular, and to no group or one of the user's own groups (only a user
    that exists has groups: without a row, ``user_group_id = ''`` alone)."""
    sp, spa, uga = SecurityProfileRow, SecurityProfileAssignmentRow, UserGroupAssignmentRow
    stmt = (
        select(spa, sp.password_config)
        .join(sp, (sp.marketplace_id == spa.marketplace_id) & (sp.id == spa.security_profile_id))
        .where(spa.marketplace_id == bindparam("marketplace_id"), _owner_reach(user_type))
        .where(spa.user_id.in_([bindparam("user_id"), ""]))
    )
    if not with_row:
        return stmt.where(spa.user_group_id == "")
    own_groups = select(uga.user_group_id).where(
        uga.marketplace_id == bindparam("row_marketplace_id"),
        uga.user_internal_id == bindparam("row_internal_id"),
        uga.owner_type == bindparam("row_user_type"),
        uga.company_id == bindparam("row_company_id"),
    )
    return stmt.where((spa.user_group_id == "") | spa.user_group_id.in_(own_groups))


_STATEMENTS = {
    (user_type, with_row): _statement(user_type, with_row)
    for user_type in UserType
    for with_row in (False, True)
}
