"""Buyer and supplier rules: validation, defaults, PATCH merging, renames, visibility."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gatehouse.domain.companies import (
    CompanyKind,
    build_company,
    check_same_id,
    merge_patch,
    visible_ids,
)
from gatehouse.domain.errors import InvalidInputError, RequiredFieldError
from gatehouse.domain.users import UserType

BUYER, SUPPLIER = CompanyKind.BUYER, CompanyKind.SUPPLIER


def test_defaults_and_kind_specific_fields() -> None:
    buyer = build_company(
        BUYER, "b1", {"name": "B", "all_buyers_can_order": True, "default_catalog_id": "c"}
    )
    assert (buyer.active, buyer.xp, buyer.default_catalog_id) == (False, None, "c")
    assert buyer.all_buyers_can_order is False  # not a buyer field
    supplier = build_company(
        SUPPLIER, "s1", {"name": "S", "all_buyers_can_order": True, "default_catalog_id": "c"}
    )
    assert (supplier.all_buyers_can_order, supplier.default_catalog_id) == (True, None)
    assert (
        build_company(BUYER, "b1", {"name": "B", "default_catalog_id": ""}).default_catalog_id
        is None
    )


@pytest.mark.parametrize(
    ("company_id", "fields", "error", "field"),
    [
        ("b1", {}, RequiredFieldError, "Name"),
        ("b1", {"name": " \t"}, RequiredFieldError, "Name"),
        ("b1", {"name": "n" * 101}, InvalidInputError, "Name"),
        ("b 1", {"name": "n"}, InvalidInputError, "ID"),
        ("x" * 101, {"name": "n"}, InvalidInputError, "ID"),
        ("", {"name": "n"}, InvalidInputError, "ID"),
        ("b1", {"name": "n", "default_catalog_id": "c/1"}, InvalidInputError, "DefaultCatalogID"),
        ("b1", {"name": "n", "xp": [1]}, InvalidInputError, "xp"),
        ("b1", {"name": "n", "xp": {"k": "v" * 8000}}, InvalidInputError, "xp"),
    ],
)
def test_invalid_companies(
    company_id: str, fields: dict[str, Any], error: type[Exception], field: str
) -> None:
    with pytest.raises(error) as raised:
        build_company(BUYER, company_id, fields)
    assert isinstance(raised.value, InvalidInputError)
    assert raised.value.data == {"Field": field}


def test_name_of_exactly_100_characters_is_allowed() -> None:
    assert build_company(SUPPLIER, "s", {"name": "n" * 100}).name == "n" * 100


def test_patch_merges_xp_and_ignores_nulls() -> None:
    current = build_company(BUYER, "b1", {"name": "B", "active": True, "xp": {"a": {"b": 1}}})
    merged = merge_patch(current, {"name": None, "xp": {"a": {"c": 2}}, "id": "b1"})
    assert merged["name"] == "B" and merged["active"] is True
    assert merged["xp"] == {"a": {"b": 1, "c": 2}}
    assert "id" not in merged
    assert merge_patch(current, {"xp": None})["xp"] is None  # null clears xp, as for users


@given(st.text(max_size=5), st.one_of(st.none(), st.text(max_size=5)))
def test_only_a_different_body_id_is_a_rename(path_id: str, body_id: str | None) -> None:
    if body_id is None or body_id == path_id:
        check_same_id(path_id, body_id)
    else:
        with pytest.raises(InvalidInputError):
            check_same_id(path_id, body_id)


@pytest.mark.parametrize(
    ("kind", "caller", "own", "visible"),
    [
        (BUYER, UserType.ADMIN, None, None),
        (SUPPLIER, UserType.ADMIN, None, None),
        (BUYER, UserType.BUYER, "b1", frozenset({"b1"})),
        (SUPPLIER, UserType.SUPPLIER, "s1", frozenset({"s1"})),
        (SUPPLIER, UserType.BUYER, "b1", frozenset()),
        (BUYER, UserType.SUPPLIER, "s1", frozenset()),
        (BUYER, UserType.BUYER, None, frozenset()),
    ],
)
def test_visibility(
    kind: CompanyKind, caller: UserType, own: str | None, visible: frozenset[str] | None
) -> None:
    assert visible_ids(kind, caller, own) == visible
