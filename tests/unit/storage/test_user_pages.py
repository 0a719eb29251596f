"""A users page row is read by position (``user_pages.user_of``): each field must land where
its column's name says, whichever statement of the page produced the row."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from gatehouse.domain.users import UserType
from gatehouse.storage.queries.user_pages import PAGE, user_of

VALUES: dict[str, Any] = {
    "id": 41,
    "external_id": "buyer-user-1",
    "username": "Ann",
    "user_type": "buyer",
    "company_id": "acme",
    "first_name": "Ann",
    "last_name": "Lee",
    "email": "ann@example.com",
    "phone": "555",
    "active": True,
    "xp": {"Tier": 2},
    "created_at": datetime(2026, 1, 2, tzinfo=UTC),
    "password_last_set": datetime(2026, 3, 4, tzinfo=UTC),
    "failed_login_attempts": 3,
    "group_ids": "g1,g2",
    "list_total": 97,
}


@pytest.mark.parametrize("statement", ["select", "plain", "plain_with_total"])
def test_each_field_lands_where_its_column_says(statement: str) -> None:
    names = [column.name for column in getattr(PAGE, statement).selected_columns]
    user, group_ids = user_of(tuple(VALUES[name] for name in names))
    assert (user.internal_id, user.id, user.username) == (41, "buyer-user-1", "Ann")
    assert (user.user_type, user.company_id) == (UserType.BUYER, "acme")
    assert (user.first_name, user.last_name, user.email, user.phone) == (
        "Ann",
        "Lee",
        "ann@example.com",
        "555",
    )
    assert (user.active, user.xp, user.failed_login_attempts) == (True, {"Tier": 2}, 3)
    assert user.date_created == VALUES["created_at"]
    assert user.password_last_set == VALUES["password_last_set"]
    assert group_ids == frozenset({"g1", "g2"})


def test_no_company_and_no_groups() -> None:
    names = [column.name for column in PAGE.plain.selected_columns]
    row = tuple({**VALUES, "company_id": "", "group_ids": None}[name] for name in names)
    user, group_ids = user_of(row)
    assert user.company_id is None
    assert group_ids == frozenset()
