"""Refresh-token rules: roles on refresh and the token's lifetime (spec §3.8)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from gatehouse.domain.roles import ClientRoleLimits, RoleSet, refresh_roles
from gatehouse.domain.tokens import refresh_token_expiry, refresh_token_usable

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
names = st.frozensets(st.sampled_from(["Shopper", "MeAdmin", "OrderReader", "c-x", "c-y"]))


def test_roles_are_original_and_current_and_within_the_maximum() -> None:
    current = RoleSet(frozenset({"Shopper", "MeAdmin"}), frozenset({"c-x"}))
    original = {"Shopper", "OrderReader", "c-x"}
    assert refresh_roles(original, current, ClientRoleLimits()) == {"Shopper", "c-x"}
    capped = ClientRoleLimits(maximum_roles=frozenset({"Shopper"}))
    assert refresh_roles(original, current, capped) == {"Shopper"}


@given(names, names, names)
def test_a_refresh_never_widens_the_grant(
    original: frozenset[str], current: frozenset[str], ceiling: frozenset[str]
) -> None:
    limits = ClientRoleLimits(maximum_roles=ceiling)
    roles = refresh_roles(original, RoleSet(roles=current), limits)
    assert roles <= original and roles <= current
    assert not ceiling or roles <= ceiling


def test_lifetime_and_usability() -> None:
    expires = refresh_token_expiry(NOW, 60)
    assert expires == NOW + timedelta(minutes=60)
    assert refresh_token_usable(expires, None, NOW + timedelta(minutes=59, seconds=59))
    assert not refresh_token_usable(expires, None, expires)
    assert not refresh_token_usable(expires, NOW, NOW)
