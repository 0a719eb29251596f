"""The access decision: every user type × every flag × with and without an assignment."""

from __future__ import annotations

import itertools

import pytest

from gatehouse.domain.access import Allowed, ClientAccess, Denied, decide_access
from gatehouse.domain.users import UserIdentity, UserType


def user(user_type: UserType, *, active: bool = True, company_active: bool = True) -> UserIdentity:
    company = None if user_type is UserType.ADMIN else "co"
    return UserIdentity(1, "u", user_type, company, active, company_active)


def expected_allowed(
    user_type: UserType, seller: bool, buyer: bool, supplier: bool, assigned: bool
) -> bool:
    if user_type is UserType.ADMIN:
        return seller
    if user_type is UserType.BUYER:
        return buyer or assigned
    return supplier or assigned


@pytest.mark.parametrize(
    ("user_type", "seller", "any_buyer", "any_supplier", "assigned"),
    list(itertools.product(UserType, [False, True], [False, True], [False, True], [False, True])),
)
def test_matrix(
    user_type: UserType, seller: bool, any_buyer: bool, any_supplier: bool, assigned: bool
) -> None:
    client = ClientAccess(
        active=True,
        allow_seller=seller,
        allow_any_buyer=any_buyer,
        allow_any_supplier=any_supplier,
        assigned_buyer_ids={"co"} if assigned and user_type is UserType.BUYER else set(),
        assigned_supplier_ids={"co"} if assigned and user_type is UserType.SUPPLIER else set(),
    )
    decision = decide_access(client, user(user_type), marketplace_active=True)
    if expected_allowed(user_type, seller, any_buyer, any_supplier, assigned):
        assert decision == Allowed()
    else:
        assert isinstance(decision, Denied)
        assert decision.code == "Auth.ClientNotAllowedForUser"


def test_assignment_to_another_company_does_not_count() -> None:
    client = ClientAccess(
        True, False, False, False, assigned_buyer_ids={"other"}, assigned_supplier_ids={"co"}
    )
    assert isinstance(decide_access(client, user(UserType.BUYER), marketplace_active=True), Denied)


@pytest.mark.parametrize(
    ("kwargs", "marketplace_active", "code"),
    [
        ({"active": False}, True, "Auth.UserNotActive"),
        ({"company_active": False}, True, "Auth.CompanyNotActive"),
        ({}, False, "Auth.SellerNotActive"),
    ],
)
def test_inactive_states(kwargs: dict[str, bool], marketplace_active: bool, code: str) -> None:
    client = ClientAccess(True, True, True, True)
    decision = decide_access(
        client, user(UserType.BUYER, **kwargs), marketplace_active=marketplace_active
    )
    assert isinstance(decision, Denied)
    assert decision.code == code


def test_admins_have_no_company_to_be_inactive() -> None:
    client = ClientAccess(True, True, False, False)
    assert (
        decide_access(client, user(UserType.ADMIN, company_active=False), marketplace_active=True)
        == Allowed()
    )
