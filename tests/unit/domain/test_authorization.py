"""Organisation boundaries."""

from __future__ import annotations

import pytest

from gatehouse.domain.authorization import may_act_in_company
from gatehouse.domain.users import UserType

A, B, S = UserType.ADMIN, UserType.BUYER, UserType.SUPPLIER


@pytest.mark.parametrize(
    ("caller", "own", "target", "company", "allowed"),
    [
        (A, None, B, "b1", True),
        (A, None, S, "s1", True),
        (B, "b1", B, "b1", True),
        (B, "b1", B, "b2", False),
        (B, "b1", S, "b1", False),
        (S, "s1", S, "s1", True),
        (S, "s1", S, "s2", False),
        (S, "s1", B, "s1", False),
        (B, None, B, "b1", False),
    ],
)
def test_boundaries(
    caller: UserType, own: str | None, target: UserType, company: str, allowed: bool
) -> None:
    assert may_act_in_company(caller, own, target, company) is allowed
