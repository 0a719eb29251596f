"""AvailableRoles for a page of users costs a fixed number of SQL statements, however many
users are on the page and however many groups they belong to (no query per user).

Statements are counted with a ``before_cursor_execute`` listener on the engine the read
sessions use, on whichever backend the session runs (SQLite or PostgreSQL)."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from gatehouse.domain.listing import ListQuery
from gatehouse.domain.roles import RoleSet
from gatehouse.domain.security_profiles import ProfileAssignment, SecurityProfile
from gatehouse.domain.user_groups import GroupOwner, UserGroup
from gatehouse.domain.users import User, UserType
from gatehouse.runtime import Runtime
from gatehouse.services.users import UserScope
from gatehouse.storage.models import BuyerRow, UserRow
from gatehouse.storage.queries import security_profiles, user_groups, users
from tests.factories.marketplaces import Marketplace
from tests.support.sql import read_statements

pytestmark = pytest.mark.asyncio

GROUPS = 4
ROLE_BY_GROUP = ["OrderReader", "ProductReader", "PromotionReader", "ShipmentReader"]
# What the roles query costs for any page: group memberships, then reaching assignments.
ROLE_STATEMENTS = 2
# A full list page: the page (groups included, and the total on PostgreSQL), the total on
# SQLite (``storage.listing.fetch_page``), then the assignments reaching it.
LIST_STATEMENTS = 3 if os.environ.get("GATEHOUSE_TEST_DB", "sqlite") == "sqlite" else 2


async def seed(runtime: Runtime, mp: Marketplace, owner: GroupOwner, count: int) -> None:
    """``count`` users of ``owner``; user i belongs to groups g0..g(i mod GROUPS), and each
    group gk carries a profile granting ROLE_BY_GROUP[k] to its members."""
    now = datetime.now(UTC)
    buyer = owner.company_id or None
    async with runtime.db.write() as session:
        if buyer:
            session.add(BuyerRow(marketplace_id=mp.id, id=buyer, name=buyer, created_at=now))
        for k in range(GROUPS):
            group = UserGroup(id=f"g{k}", name=f"g{k}")
            profile = SecurityProfile(f"p-{buyer}-{k}", "p", [ROLE_BY_GROUP[k]], [])
            await user_groups.insert(
                session, marketplace_id=mp.id, owner=owner, group=group, now=now
            )
            await security_profiles.insert(session, marketplace_id=mp.id, profile=profile, now=now)
            assignment = ProfileAssignment(profile.id, buyer_id=buyer, user_group_id=group.id)
            await security_profiles.save_assignment(
                session, marketplace_id=mp.id, assignment=assignment
            )
        for i in range(count):
            user = User(
                id=f"u{i:03}",
                username=f"{mp.id}-{buyer}-u{i}",
                user_type=owner.owner_type,
                company_id=buyer,
            )
            row = await users.insert(
                session, marketplace_id=mp.id, user=user, password_hash=None, now=now
            )
            for k in range(i % GROUPS + 1):
                await user_groups.add_member(
                    session,
                    marketplace_id=mp.id,
                    owner=owner,
                    group_id=f"g{k}",
                    user_internal_id=row.id,
                )


async def seller_level(runtime: Runtime, mp: Marketplace, role: str) -> None:
    """A profile assigned at seller level: it reaches every admin user (a new marketplace's
    own FullAccess profile is assigned to its bootstrap admin only)."""
    async with runtime.db.write() as session:
        profile = SecurityProfile("seller-wide", "seller-wide", [role], [])
        await security_profiles.insert(
            session, marketplace_id=mp.id, profile=profile, now=datetime.now(UTC)
        )
        await security_profiles.save_assignment(
            session, marketplace_id=mp.id, assignment=ProfileAssignment(profile.id)
        )


def expected(row: UserRow, seller_roles: frozenset[str]) -> frozenset[str]:
    index = int(row.external_id[1:])
    from_groups = frozenset(ROLE_BY_GROUP[: index % GROUPS + 1])
    return from_groups | (seller_roles if row.user_type == UserType.ADMIN else frozenset())


async def roles_with_count(
    runtime: Runtime, mp: Marketplace, rows: list[UserRow]
) -> tuple[dict[int, RoleSet], int]:
    async with runtime.db.read() as session:
        with read_statements(runtime.db) as statements:
            roles = await users.roles_for_rows(session, marketplace_id=mp.id, rows=rows)
    return roles, len(statements)


async def load_rows(runtime: Runtime, mp: Marketplace) -> list[UserRow]:
    async with runtime.db.read() as session:
        found = await session.scalars(
            # Exactly the seeded IDs (u000…): a generated admin ID may also start with "u".
            select(UserRow).where(UserRow.marketplace_id == mp.id, UserRow.external_id.like("u___"))
        )
        return list(found)


@pytest.mark.parametrize("count", [3, 60])
async def test_roles_for_a_page_cost_the_same_statements_for_any_page_size(
    runtime: Runtime, marketplace: Marketplace, count: int
) -> None:
    await seed(runtime, marketplace, GroupOwner(UserType.ADMIN), count)
    await seed(runtime, marketplace, GroupOwner(UserType.BUYER, "b1"), count)
    await seed(runtime, marketplace, GroupOwner(UserType.BUYER, "b2"), count)
    await seller_level(runtime, marketplace, "CatalogReader")
    rows = await load_rows(runtime, marketplace)
    assert len(rows) == 3 * count

    roles, statements = await roles_with_count(runtime, marketplace, rows)

    assert statements == ROLE_STATEMENTS
    for row in rows:
        assert roles[row.id].all == expected(row, frozenset({"CatalogReader"})), row.external_id


@pytest.mark.parametrize("page_size", [2, 100])
async def test_user_list_statements_do_not_grow_with_the_page(
    runtime: Runtime, marketplace: Marketplace, page_size: int
) -> None:
    """The whole list request: the page with each user's groups (and its total, counted on
    its own on SQLite), then the assignments that may reach them (issue 12: two or three
    statements, not 1 + ROLE_STATEMENTS)."""
    await seed(runtime, marketplace, GroupOwner(UserType.ADMIN), 100)
    query = ListQuery(page=1, page_size=page_size, search=None, search_on=(), sort=(), filters=())
    with read_statements(runtime.db) as statements:
        views, total = await runtime.services.users.list_page(
            marketplace.id, UserScope(UserType.ADMIN), query
        )
    assert (len(views), total) == (page_size, 101)  # and the marketplace's own admin
    assert len(statements) == LIST_STATEMENTS
    for view in views:
        if view.user.id[:1] == "u" and view.user.id[1:].isdigit():  # seeded: u000…
            index = int(view.user.id[1:])
            assert view.available_roles.all == frozenset(ROLE_BY_GROUP[: index % GROUPS + 1])
