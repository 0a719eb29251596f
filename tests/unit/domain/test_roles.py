"""Role and scope arithmetic, exhaustively and by property."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from gatehouse.domain.roles import (
    API_ROLE_NAMES,
    ApiRole,
    ClientRoleLimits,
    RoleSet,
    grant_roles,
    missing_minimum_roles,
    parse_scope,
    role_claim,
    roles_from_claim,
    satisfies,
)

api_roles = st.sampled_from(sorted(API_ROLE_NAMES))
custom_roles = st.text(alphabet="abcdefXYZ0123", min_size=1, max_size=8).map(lambda s: f"c-{s}")
role_names = st.one_of(api_roles, custom_roles)
role_sets = st.frozensets(role_names, max_size=12)
scopes = st.lists(
    st.one_of(role_names, st.just("undefined"), st.just("InventoryAdmin")), max_size=10
)


def test_catalogue_has_the_92_sdk_roles() -> None:
    assert len(ApiRole) == 92
    assert ApiRole.FullAccess in API_ROLE_NAMES


def test_scope_parsing() -> None:
    assert parse_scope(None) is None
    assert parse_scope("") is None
    assert parse_scope("   ") is None
    assert parse_scope("Shopper  MeAdmin\tShopper") == frozenset({"Shopper", "MeAdmin"})


@given(role_sets, st.one_of(st.none(), st.frozensets(role_names)), role_sets, role_sets)
def test_granted_roles_are_within_every_bound(
    held: frozenset[str],
    requested: frozenset[str] | None,
    maximum: frozenset[str],
    custom_max: frozenset[str],
) -> None:
    available = RoleSet(
        frozenset(r for r in held if r in API_ROLE_NAMES),
        frozenset(r for r in held if r not in API_ROLE_NAMES),
    )
    limits = ClientRoleLimits(maximum_roles=maximum, maximum_custom_roles=custom_max)
    granted = grant_roles(available, requested, limits)
    assert granted <= held
    if requested is not None:
        assert granted <= requested
    if maximum | custom_max:
        assert granted <= maximum | custom_max
    else:
        assert granted == (held if requested is None else held & requested)


@given(role_sets, scopes)
def test_unknown_scope_words_never_add_roles(held: frozenset[str], words: list[str]) -> None:
    available = RoleSet(held, frozenset())
    granted = grant_roles(available, parse_scope(" ".join(words)), ClientRoleLimits())
    assert "undefined" not in granted
    assert granted <= held


def test_full_access_is_not_expanded() -> None:
    available = RoleSet(frozenset({"FullAccess"}))
    assert grant_roles(available, frozenset({"FullAccess", "OrderAdmin"}), ClientRoleLimits()) == {
        "FullAccess"
    }


def test_minimum_roles() -> None:
    limits = ClientRoleLimits(
        minimum_roles=frozenset({"Shopper"}), minimum_custom_roles=frozenset({"vip"})
    )
    assert (
        missing_minimum_roles(RoleSet(frozenset({"Shopper"}), frozenset({"vip"})), limits)
        == frozenset()
    )
    assert missing_minimum_roles(RoleSet(frozenset({"Shopper"})), limits) == {"vip"}


def test_satisfies() -> None:
    assert satisfies({"FullAccess"}, ["ApiClientAdmin"])
    assert satisfies({"ApiClientReader"}, ["ApiClientAdmin", "ApiClientReader"])
    assert not satisfies({"ApiClientReader"}, ["ApiClientAdmin"])
    assert not satisfies(set(), ["ApiClientAdmin"])


@given(role_sets)
def test_role_claim_round_trips(roles: frozenset[str]) -> None:
    claim = role_claim(roles)
    if not roles:
        assert claim is None
    elif len(roles) == 1:
        assert isinstance(claim, str)
    else:
        assert isinstance(claim, list)
    assert roles_from_claim(claim) == roles


def test_role_claim_order_is_stable() -> None:
    assert role_claim({"zz-custom", "Shopper", "ApiClientAdmin"}) == [
        "ApiClientAdmin",
        "Shopper",
        "zz-custom",
    ]
    assert roles_from_claim(42) == frozenset()
