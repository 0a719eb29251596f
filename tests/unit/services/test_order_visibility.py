"""Who reaches which orders (``services.orders.visibility``) and the direction parameter."""

from __future__ import annotations

import pytest

from gatehouse.domain.errors import NotFoundError
from gatehouse.domain.users import UserType
from gatehouse.oauth.errors import InvalidRequestError
from gatehouse.oauth.grants.client_credentials import checked_anon_user_id
from gatehouse.services.orders import Actor, Direction, my_visibility, parse_direction, visibility
from gatehouse.storage.queries.orders import Visibility

MP = "mp"


def actor(
    user_type: UserType, roles: set[str], company: str | None = "b1", key: str | None = None
) -> Actor:
    return Actor(MP, user_type, 7, company, frozenset(roles), key)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Incoming", Direction.INCOMING),
        ("OUTGOING", Direction.OUTGOING),
        ("outgoing", Direction.OUTGOING),
    ],
)
def test_directions_are_case_insensitive(value: str, expected: Direction) -> None:
    assert parse_direction(value) is expected


@pytest.mark.parametrize("value", ["All", "sideways", "", "Incoming "])
def test_other_directions_are_not_found(value: str) -> None:
    with pytest.raises(NotFoundError):
        parse_direction(value)
    if value == "All":
        assert parse_direction(value, allow_all=True) is Direction.ALL


def test_sellers_see_incoming_orders_only() -> None:
    seller = actor(UserType.ADMIN, {"OrderReader"}, company=None)
    assert visibility(seller, Direction.INCOMING) == (Visibility(MP, to_company_id=MP),)
    assert visibility(seller, Direction.OUTGOING) == (Visibility(MP, nothing=True),)


def test_buyers_see_their_company_or_their_own_orders() -> None:
    admin = actor(UserType.BUYER, {"OrderAdmin"})
    reader = actor(UserType.BUYER, {"OrderReader", "Shopper"})
    shopper = actor(UserType.BUYER, {"Shopper"})
    company = (Visibility(MP, from_company_id="b1"),)
    own = (Visibility(MP, from_company_id="b1", from_user=7),)
    assert visibility(admin, Direction.OUTGOING) == company
    assert visibility(admin, Direction.OUTGOING, write=True) == company
    assert visibility(reader, Direction.OUTGOING) == company
    assert visibility(reader, Direction.OUTGOING, write=True) == own
    assert visibility(shopper, Direction.OUTGOING) == own
    assert visibility(shopper, Direction.INCOMING) == ()
    assert visibility(actor(UserType.BUYER, {"FullAccess"}), Direction.OUTGOING) == company


def test_anonymous_shoppers_see_their_cart_only() -> None:
    shopper = actor(UserType.BUYER, {"OrderAdmin", "Shopper"}, key="k" * 22)
    cart = (Visibility(MP, anonymous_key="k" * 22),)
    assert visibility(shopper, Direction.OUTGOING) == cart
    assert visibility(shopper, Direction.ALL) == cart
    assert my_visibility(shopper) == cart[0]
    assert my_visibility(actor(UserType.BUYER, {"Shopper"})) == Visibility(MP, from_user=7)


def test_suppliers_see_nothing() -> None:
    supplier = actor(UserType.SUPPLIER, {"OrderAdmin"}, company="s1")
    assert visibility(supplier, Direction.ALL) == (Visibility(MP, nothing=True),)


@pytest.mark.parametrize("value", ["a", "A-b_9", "x" * 100])
def test_anon_user_ids_like_ids_pass(value: str) -> None:
    assert checked_anon_user_id(value) == value


@pytest.mark.parametrize("value", ["", "x" * 101, "a b", "a.b", "é"])
def test_other_anon_user_ids_are_refused(value: str) -> None:
    with pytest.raises(InvalidRequestError):
        checked_anon_user_id(value)
