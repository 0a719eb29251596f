"""Password policy, identifier rules and xp merging."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gatehouse.domain.errors import InvalidInputError
from gatehouse.domain.ids import is_valid_id, new_client_id, new_object_id, normalize_client_id
from gatehouse.domain.passwords import DEFAULT_POLICY, PasswordPolicy, meets_policy
from gatehouse.domain.xp import deep_merge, validate_xp


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("Abcdefghi1", True),
        ("Abcdefgh1", False),
        ("abcdefghi1", False),
        ("ABCDEFGHI1", False),
        ("Abcdefghij", False),
        ("A1" + "b" * 2000, False),
    ],
)
def test_default_policy(password: str, ok: bool) -> None:
    assert meets_policy(password) is ok


def test_special_characters_when_required() -> None:
    policy = PasswordPolicy(special_required=True)
    assert not meets_policy("Abcdefghi1", policy)
    assert meets_policy("Abcdefgh1!", policy)
    assert DEFAULT_POLICY.as_data()["MinimumCharacterCount"] == 10


def test_ids() -> None:
    assert is_valid_id("Ab-_9")
    assert not is_valid_id("")
    assert not is_valid_id("a b")
    assert not is_valid_id("x" * 101)
    assert len(new_object_id()) == 22 and is_valid_id(new_object_id())
    client_id = new_client_id()
    assert client_id == client_id.lower() and len(client_id) == 36
    assert normalize_client_id(" ABC ") == "abc"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda children: st.dictionaries(st.text(max_size=3), children, max_size=3),
    max_leaves=10,
)


@given(json_values, json_values)
def test_deep_merge_keeps_patch_values(current: Any, patch: Any) -> None:
    merged = deep_merge(current, patch)
    if isinstance(current, dict) and isinstance(patch, dict):
        for key in current:
            assert key in merged
        for key, value in patch.items():
            if not isinstance(value, dict):
                assert merged[key] == value
    else:
        assert merged == patch


def test_deep_merge_example() -> None:
    assert deep_merge({"a": {"x": 1, "y": 2}, "b": 1}, {"a": {"y": 3}}) == {
        "a": {"x": 1, "y": 3},
        "b": 1,
    }


def test_validate_xp() -> None:
    validate_xp(None, 4)
    validate_xp({"a": 1}, 10)
    with pytest.raises(InvalidInputError):
        validate_xp([1], 3)
    with pytest.raises(InvalidInputError):
        validate_xp({}, 9000)
