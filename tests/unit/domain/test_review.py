"""The configuration review's rules, each with a case that fires and one that does not."""

from __future__ import annotations

from datetime import timedelta

import pytest

from gatehouse.domain.access import ClientAccess
from gatehouse.domain.review import (
    HIGH_ACCESS_ROLES,
    SHOPPER_ROLES,
    ClientFacts,
    ReviewThresholds,
    Risk,
    Severity,
    reachable_roles,
    review,
    review_client,
)
from gatehouse.domain.roles import RoleSet
from gatehouse.domain.security_profiles import ProfileAssignment
from tests.factories.review import NOW, facts

# The other rules are tested on a deployment narrowed to listed origins, where the browser
# origin rule never fires (tests/unit/domain/test_review_origins.py covers it).
LIMITS = ReviewThresholds(
    access_token_minutes=60,
    refresh_token_minutes=1440,
    idle_days=30,
    deployment_allows_any_origin=False,
)


def risks(item: ClientFacts) -> set[Risk]:
    return {f.risk for f in review_client(item, LIMITS, NOW)}


def test_a_plain_client_is_clean() -> None:
    assert risks(facts(reachable_roles=frozenset({"Shopper"}))) == set()


@pytest.mark.parametrize(
    ("duration", "roles", "expected"),
    [
        (61, {"FullAccess"}, Severity.HIGH),
        (61, {"OrderAdmin"}, Severity.MEDIUM),
        (60, {"FullAccess"}, None),
        (600, {"Shopper", "MeAdmin", "MeAddressAdmin"}, None),
    ],
)
def test_long_access_tokens_on_high_access_clients(
    duration: int, roles: set[str], expected: Severity | None
) -> None:
    found = review_client(
        facts(access_token_duration=duration, reachable_roles=frozenset(roles)), LIMITS, NOW
    )
    matching = [f for f in found if f.risk is Risk.LONG_ACCESS_TOKEN]
    assert [f.severity for f in matching] == ([expected] if expected else [])


def test_long_refresh_tokens_on_high_access_clients() -> None:
    admin = frozenset({"BuyerAdmin"})
    assert Risk.LONG_REFRESH_TOKEN in risks(
        facts(refresh_token_duration=1441, reachable_roles=admin)
    )
    assert Risk.LONG_REFRESH_TOKEN not in risks(
        facts(refresh_token_duration=1440, reachable_roles=admin)
    )
    assert Risk.LONG_REFRESH_TOKEN not in risks(
        facts(refresh_token_duration=524160, reachable_roles=frozenset({"Shopper"}))
    )


def test_secret_on_an_anonymous_client() -> None:
    assert Risk.SECRET_ON_ANONYMOUS_CLIENT in risks(facts(is_anon_buyer=True, client_secret="s"))
    assert Risk.SECRET_ON_ANONYMOUS_CLIENT in risks(facts(is_anon_buyer=True, named_secret_count=1))
    assert Risk.SECRET_ON_ANONYMOUS_CLIENT not in risks(facts(is_anon_buyer=True))
    assert Risk.SECRET_ON_ANONYMOUS_CLIENT not in risks(facts(client_secret="s"))


def test_anonymous_template_user_with_more_than_shopper_roles() -> None:
    shopper = RoleSet(SHOPPER_ROLES, frozenset({"custom-role"}))
    anon = {"is_anon_buyer": True, "default_context_username": "anon"}
    assert Risk.ANONYMOUS_USER_OVERPRIVILEGED not in risks(facts(**anon, dcu_roles=shopper))
    more = RoleSet(frozenset({"Shopper", "OrderAdmin"}))
    found = review_client(facts(**anon, dcu_roles=more), LIMITS, NOW)
    assert [f.reason for f in found if f.risk is Risk.ANONYMOUS_USER_OVERPRIVILEGED] == [
        "The anonymous template user 'anon' gives every anonymous shopper OrderAdmin, "
        "beyond the shopper roles."
    ]
    capped = facts(**anon, dcu_roles=more, maximum_granted_roles=["Shopper"])
    assert Risk.ANONYMOUS_USER_OVERPRIVILEGED not in risks(capped)
    assert Risk.ANONYMOUS_USER_OVERPRIVILEGED not in risks(
        facts(default_context_username="anon", dcu_roles=more)
    )


def test_client_credentials_client_with_uncapped_full_access() -> None:
    full = RoleSet(frozenset({"FullAccess"}))
    cc = {"client_secret": "s", "default_context_username": "integration", "dcu_roles": full}
    assert Risk.CLIENT_CREDENTIALS_FULL_ACCESS in risks(facts(**cc))
    named = {**cc, "client_secret": None, "named_secret_count": 2}
    assert Risk.CLIENT_CREDENTIALS_FULL_ACCESS in risks(facts(**named))
    assert Risk.CLIENT_CREDENTIALS_FULL_ACCESS not in risks(
        facts(**cc, maximum_granted_roles=["OrderAdmin"])
    )
    assert Risk.CLIENT_CREDENTIALS_FULL_ACCESS not in risks(facts(**{**cc, "client_secret": None}))
    assert Risk.CLIENT_CREDENTIALS_FULL_ACCESS not in risks(
        facts(**{**cc, "dcu_roles": RoleSet(frozenset({"OrderAdmin"}))})
    )


def test_no_recent_traffic() -> None:
    old = NOW - timedelta(days=31)
    assert Risk.NO_RECENT_TRAFFIC in risks(facts(created_at=old))
    assert Risk.NO_RECENT_TRAFFIC in risks(facts(created_at=old - timedelta(days=9), last_used=old))
    assert Risk.NO_RECENT_TRAFFIC not in risks(facts(created_at=old, last_used=NOW))
    assert Risk.NO_RECENT_TRAFFIC not in risks(facts(created_at=NOW - timedelta(days=29)))
    assert Risk.NO_RECENT_TRAFFIC not in risks(facts(created_at=old, active=False))


def test_legacy_secret() -> None:
    assert Risk.LEGACY_SECRET in risks(facts(client_secret="s"))
    assert Risk.LEGACY_SECRET not in risks(facts(named_secret_count=1))
    assert Risk.LEGACY_SECRET not in risks(facts(client_secret="s", is_anon_buyer=True))


def test_findings_are_sorted_by_severity_then_app() -> None:
    items = [
        facts(id="a", app_name="Zeta", client_secret="s"),
        facts(id="b", app_name="Alpha", is_anon_buyer=True, client_secret="s"),
        facts(id="c", app_name="Beta", created_at=NOW - timedelta(days=99)),
    ]
    found = review(items, LIMITS, NOW)
    assert [(f.app_name, f.severity) for f in found] == [
        ("Alpha", Severity.HIGH),
        ("Zeta", Severity.MEDIUM),
        ("Beta", Severity.LOW),
    ]


def test_reachable_roles_follow_flags_assignments_and_the_ceiling() -> None:
    assignments = [
        ProfileAssignment("seller"),
        ProfileAssignment("buyer", buyer_id="b1", user_group_id="g"),
        ProfileAssignment("other-buyer", buyer_id="b2", user_id="u"),
        ProfileAssignment("supplier", supplier_id="s1"),
    ]
    profiles = {
        "seller": RoleSet(frozenset({"FullAccess"})),
        "buyer": RoleSet(frozenset({"Shopper"})),
        "other-buyer": RoleSet(frozenset({"OrderAdmin"})),
        "supplier": RoleSet(frozenset({"ProductAdmin"})),
    }

    def access(**flags: object) -> ClientAccess:
        values: dict[str, object] = {
            "active": True,
            "allow_seller": False,
            "allow_any_buyer": False,
            "allow_any_supplier": False,
            **flags,
        }
        return ClientAccess(**values)  # type: ignore[arg-type]

    assert reachable_roles(access(allow_seller=True), assignments, profiles, None) == {"FullAccess"}
    assert reachable_roles(access(assigned_buyer_ids={"b1"}), assignments, profiles, None) == {
        "Shopper"
    }
    assert reachable_roles(access(allow_any_buyer=True), assignments, profiles, None) == {
        "Shopper",
        "OrderAdmin",
    }
    assert reachable_roles(
        access(allow_any_supplier=True, allow_seller=True),
        assignments,
        profiles,
        frozenset({"ProductAdmin"}),
    ) == {"ProductAdmin"}


def test_role_classes() -> None:
    assert "FullAccess" in HIGH_ACCESS_ROLES and "BuyerUserAdmin" in HIGH_ACCESS_ROLES
    assert "MeAdmin" not in HIGH_ACCESS_ROLES and "OrderReader" not in HIGH_ACCESS_ROLES
    assert not SHOPPER_ROLES & HIGH_ACCESS_ROLES
