"""A registered anonymous shopper inherits its template user's reach (spec §6.3): the
template's user-group memberships and user-level security profile assignments are copied to
the new user, idempotently (a concurrent identical write changes nothing)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from gatehouse.storage.models import (
    SecurityProfileAssignmentRow,
    UserGroupAssignmentRow,
    UserRow,
)
from gatehouse.storage.queries._upsert import insert_ignoring_duplicates


async def copy_template_reach(session: AsyncSession, template: UserRow, new: UserRow) -> None:
    """The template's group memberships and user-level profile assignments, for ``new``."""
    await _copy_group_memberships(session, template, new)
    await _copy_profile_assignments(session, template, new)


async def _copy_group_memberships(session: AsyncSession, template: UserRow, new: UserRow) -> None:
    uga = UserGroupAssignmentRow
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


async def _copy_profile_assignments(session: AsyncSession, template: UserRow, new: UserRow) -> None:
    spa = SecurityProfileAssignmentRow
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
