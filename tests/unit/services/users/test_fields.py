"""``services.users.fields``: the rules of a written user and the PATCH merge, pure."""

from __future__ import annotations

from typing import Any

import pytest

from gatehouse.domain.errors import InvalidInputError, RequiredFieldError
from gatehouse.domain.users import User, UserType
from gatehouse.services.users.fields import UserScope, build_user, merged

BUYERS = UserScope(UserType.BUYER, "b1")
FIELDS: dict[str, Any] = {
    "username": "ann",
    "first_name": "Ann",
    "last_name": "Lee",
    "email": "ann@example.com",
    "active": True,
}


def test_object_type_names_the_resource_of_the_scope() -> None:
    assert UserScope(UserType.ADMIN).object_type == "AdminUser"
    assert BUYERS.object_type == "User"
    assert UserScope(UserType.SUPPLIER, "s1").object_type == "SupplierUser"


def test_a_user_is_built_in_its_scope_and_ignores_unknown_fields() -> None:
    user = build_user("u1", BUYERS, {**FIELDS, "user_type": "admin", "password": "x"})
    assert (user.id, user.user_type, user.company_id, user.username) == (
        "u1",
        UserType.BUYER,
        "b1",
        "ann",
    )
    assert build_user("u1", UserScope(UserType.ADMIN), FIELDS).company_id is None


@pytest.mark.parametrize("missing", ["username", "first_name", "last_name", "email", "active"])
def test_required_fields_are_named_as_on_the_wire(missing: str) -> None:
    with pytest.raises(RequiredFieldError):
        build_user("u1", BUYERS, {**FIELDS, missing: ""})


def test_bad_ids_and_long_fields_are_refused() -> None:
    with pytest.raises(InvalidInputError):
        build_user("not valid!", BUYERS, FIELDS)
    with pytest.raises(InvalidInputError):
        build_user("u1", BUYERS, {**FIELDS, "first_name": "x" * 10_000})


def test_a_patch_keeps_what_it_does_not_name_and_deep_merges_xp() -> None:
    current = User(
        id="u1",
        user_type=UserType.BUYER,
        company_id="b1",
        xp={"a": 1, "b": {"c": 2}},
        **FIELDS,
    )
    values = merged(current, {"email": "new@example.com", "phone": None, "xp": {"b": {"d": 3}}})
    assert values["email"] == "new@example.com"
    assert values["username"] == "ann"
    assert values["phone"] == current.phone
    assert values["xp"] == {"a": 1, "b": {"c": 2, "d": 3}}
