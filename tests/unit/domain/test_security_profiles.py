"""Which security-profile assignments reach which user (spec §5.2)."""

from __future__ import annotations

import pytest

from gatehouse.domain.roles import RoleSet
from gatehouse.domain.security_profiles import (
    ProfileAssignment,
    ProfileHolder,
    assignment_reaches,
    available_roles,
)
from gatehouse.domain.users import UserType

ADMIN = ProfileHolder(UserType.ADMIN, "adm", None, group_ids=("admins",))
BUYER = ProfileHolder(UserType.BUYER, "bu", "b1", group_ids=("g1",))
SUPPLIER = ProfileHolder(UserType.SUPPLIER, "su", "s1")


@pytest.mark.parametrize(
    ("assignment", "reaches"),
    [
        (ProfileAssignment("p"), {ADMIN}),
        (ProfileAssignment("p", user_id="adm"), {ADMIN}),
        (ProfileAssignment("p", user_group_id="admins"), {ADMIN}),
        (ProfileAssignment("p", buyer_id="b1"), {BUYER}),
        (ProfileAssignment("p", buyer_id="b1", user_group_id="g1"), {BUYER}),
        (ProfileAssignment("p", buyer_id="b1", user_group_id="g2"), set()),
        (ProfileAssignment("p", buyer_id="b1", user_id="bu"), {BUYER}),
        (ProfileAssignment("p", buyer_id="b2"), set()),
        (ProfileAssignment("p", supplier_id="s1"), {SUPPLIER}),
        (ProfileAssignment("p", supplier_id="s1", user_id="other"), set()),
        (ProfileAssignment("p", user_id="bu"), set()),
    ],
)
def test_reach(assignment: ProfileAssignment, reaches: set[ProfileHolder]) -> None:
    for holder in (ADMIN, BUYER, SUPPLIER):
        assert assignment_reaches(assignment, holder) is (holder in reaches)


def test_available_roles_is_the_union() -> None:
    profiles = {
        "a": RoleSet(frozenset({"Shopper"})),
        "b": RoleSet(frozenset({"MeAdmin"}), frozenset({"c"})),
    }
    assignments = [
        ProfileAssignment("a", buyer_id="b1"),
        ProfileAssignment("b", buyer_id="b1", user_id="bu"),
        ProfileAssignment("missing", buyer_id="b1"),
    ]
    roles = available_roles(assignments, profiles, BUYER)
    assert roles == RoleSet(frozenset({"Shopper", "MeAdmin"}), frozenset({"c"}))
