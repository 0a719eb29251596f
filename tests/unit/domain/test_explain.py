"""The explain rules: every check in the token endpoint's order, the first failure decisive,
the role arithmetic with reasons, and what an invisible user looks like."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from gatehouse.domain.access import (
    DCU_REQUIRED,
    NO_CLIENT_SECRET,
    ClientAccess,
    access_rules,
    client_credentials_refusal,
)
from gatehouse.domain.api_client_secrets import NamedSecretHash
from gatehouse.domain.api_clients import ApiClient
from gatehouse.domain.explain import (
    ExplainClient,
    ExplainUser,
    Explanation,
    GrantType,
    explain,
    user_visible,
)
from gatehouse.domain.lockout import UNTIL_UNLOCKED, LockState
from gatehouse.domain.passwords import effective_config
from gatehouse.domain.roles import ClientRoleLimits, DropReason, RoleSet, dropped_roles
from gatehouse.domain.users import UserIdentity, UserType

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
PASSWORD_ORDER = [
    "ClientExists",
    "ClientSecret",
    "ClientActive",
    "UserExists",
    "Lockout",
    "MarketplaceActive",
    "ClientAllowsUser",
    "UserActive",
    "CompanyActive",
    "PasswordPolicy",
    "Roles",
    "MinimumRoles",
]


def api_client(**fields: object) -> ApiClient:
    values: dict[str, object] = {
        "id": "c1",
        "app_name": "Storefront",
        "access_token_duration": 60,
        "allow_any_buyer": True,
    }
    values.update(fields)
    return ApiClient(**values)  # type: ignore[arg-type]


def the_client(**fields: object) -> ExplainClient:
    return ExplainClient(api_client(**fields), marketplace_active=True)


def buyer(**fields: object) -> ExplainUser:
    identity = UserIdentity(7, "jane", UserType.BUYER, "b1", True, True)
    values: dict[str, object] = {
        "identity": identity,
        "has_password": True,
        "lock": LockState(),
        "password_last_set": NOW - timedelta(days=1),
        "password_config": effective_config([]),
        "available": RoleSet(frozenset({"Shopper", "MeAdmin"})),
    }
    values.update(fields)
    return ExplainUser(**values)  # type: ignore[arg-type]


def run(
    client: ExplainClient | None = None,
    user: ExplainUser | None = None,
    scope: frozenset[str] | None = None,
    grant: GrantType = GrantType.PASSWORD,
) -> Explanation:
    return explain(grant, client or the_client(), user, scope, NOW)


def rule(explanation: Explanation, name: str) -> tuple[bool | None, str | None, bool]:
    check = next(c for c in explanation.checks if c.rule == name)
    return check.passed, check.error_code, check.decisive


def test_everything_passes_in_the_token_endpoints_order() -> None:
    explanation = run(user=buyer())
    assert explanation.would_issue
    assert [c.rule for c in explanation.checks] == PASSWORD_ORDER
    assert all(c.passed for c in explanation.checks)
    assert explanation.decisive is None
    assert explanation.roles.granted == ("MeAdmin", "Shopper")


def test_every_failure_is_shown_and_only_the_first_is_decisive() -> None:
    client = replace(the_client(active=False), marketplace_active=False)
    user = buyer(identity=UserIdentity(7, "jane", UserType.BUYER, "b1", False, False))
    explanation = run(client, user)
    assert not explanation.would_issue
    failed = [c.rule for c in explanation.checks if c.passed is False]
    assert failed == ["ClientActive", "MarketplaceActive", "UserActive", "CompanyActive"]
    assert [c.rule for c in explanation.checks if c.decisive] == ["ClientActive"]
    assert rule(explanation, "ClientActive") == (False, "Auth.ClientNotActive", True)
    assert rule(explanation, "MarketplaceActive") == (False, "Auth.SellerNotActive", False)
    assert rule(explanation, "UserActive") == (False, "Auth.UserNotActive", False)
    assert rule(explanation, "CompanyActive") == (False, "Auth.CompanyNotActive", False)


def test_a_missing_or_hidden_user_leaves_every_user_rule_unchecked() -> None:
    explanation = run(user=None)
    assert rule(explanation, "UserExists") == (False, "Auth.InvalidUsernameOrPassword", True)
    after = explanation.checks[PASSWORD_ORDER.index("UserExists") + 1 :]
    assert [(c.passed, c.detail) for c in after] == [(None, "not checked: no user")] * len(after)
    assert explanation.roles.granted == ()
    assert explanation.roles.dropped == ()
    detail = next(c.detail for c in explanation.checks if c.rule == "UserExists")
    assert detail == "user not found or not visible to the caller"


def test_a_user_without_password_cannot_log_in() -> None:
    explanation = run(user=buyer(has_password=False))
    assert rule(explanation, "UserExists") == (False, "Auth.InvalidUsernameOrPassword", True)


def test_secrets_are_described_never_shown() -> None:
    explanation = run(the_client(client_secret="s3cr3t-value"), buyer())
    assert rule(explanation, "ClientSecret") == (True, None, False)
    assert "s3cr3t-value" not in repr(explanation)
    assert "legacy ClientSecret" in next(
        c.detail for c in explanation.checks if c.rule == "ClientSecret"
    )


def test_only_expired_named_secrets_can_never_match() -> None:
    expired = NamedSecretHash("a" * 64, NOW - timedelta(days=1))
    live = NamedSecretHash("b" * 64, None)
    dead = replace(the_client(), named_secrets=(expired,))
    assert rule(run(dead, buyer()), "ClientSecret") == (False, "Auth.InvalidClientSecret", True)
    alive = replace(the_client(), named_secrets=(expired, live))
    assert rule(run(alive, buyer()), "ClientSecret") == (True, None, False)


@pytest.mark.parametrize(
    ("flags", "assigned", "allowed"),
    [
        ({"allow_any_buyer": True}, False, True),
        ({"allow_any_buyer": False}, True, True),
        ({"allow_any_buyer": False}, False, False),
    ],
)
def test_flag_or_assignment(flags: dict[str, bool], assigned: bool, allowed: bool) -> None:
    client = replace(the_client(**flags), assigned_buyer_ids=frozenset({"b1"} if assigned else ()))
    explanation = run(client, buyer())
    expected = (True, None, False) if allowed else (False, "Auth.ClientNotAllowedForUser", True)
    assert rule(explanation, "ClientAllowsUser") == expected


def test_lockout_reports_the_lock_and_its_end() -> None:
    until = NOW + timedelta(minutes=2)
    locked = run(user=buyer(lock=LockState(10, until)))
    assert rule(locked, "Lockout") == (False, "Auth.LockedOut", True)
    assert "2026-06-01T12:02:00Z" in next(c.detail for c in locked.checks if c.rule == "Lockout")
    forever = run(user=buyer(lock=LockState(3, UNTIL_UNLOCKED)))
    assert "until an administrator unlocks" in forever.checks[4].detail
    expired = run(user=buyer(lock=LockState(10, NOW - timedelta(seconds=1))))
    assert rule(expired, "Lockout") == (True, None, False)
    counting = run(user=buyer(lock=LockState(4, None)))
    assert "4 of 10 allowed failed attempts" in counting.checks[4].detail


def test_password_policy_reports_expiry_from_the_effective_config() -> None:
    config = effective_config([{"MaximumPasswordAge": 30, "SpecialCharacterRequired": True}])
    fresh = run(user=buyer(password_config=config, password_last_set=NOW - timedelta(days=29)))
    assert rule(fresh, "PasswordPolicy") == (True, None, False)
    detail = next(c.detail for c in fresh.checks if c.rule == "PasswordPolicy")
    assert "at least 10 characters with upper, lower, digit, special" in detail
    old = run(user=buyer(password_config=config, password_last_set=NOW - timedelta(days=31)))
    assert rule(old, "PasswordPolicy") == (False, "Auth.PasswordExpired", True)


def test_roles_granted_dropped_and_minimum() -> None:
    client = the_client(
        maximum_granted_roles=["Shopper", "OrderAdmin"], minimum_required_roles=["OrderReader"]
    )
    user = buyer(available=RoleSet(frozenset({"Shopper", "MeAdmin", "OrderAdmin"})))
    explanation = run(client, user, frozenset({"Shopper", "MeAdmin", "undefined"}))
    assert explanation.roles.granted == ("Shopper",)
    assert dict(explanation.roles.dropped) == {
        "MeAdmin": DropReason.ABOVE_CLIENT_MAXIMUM,
        "OrderAdmin": DropReason.NOT_REQUESTED,
        "undefined": DropReason.NOT_HELD,
    }
    assert explanation.roles.missing_minimum == ("OrderReader",)
    assert rule(explanation, "MinimumRoles") == (False, "Auth.InsufficientRoles", True)
    assert rule(explanation, "Roles") == (True, None, False)


def test_no_role_granted_still_issues() -> None:
    explanation = run(user=buyer(), scope=frozenset({"OrderAdmin"}))
    assert explanation.would_issue
    assert explanation.roles.granted == ()


def test_client_credentials_use_the_default_context_user_without_password_rules() -> None:
    client = the_client(client_secret="x", default_context_username="jane")
    explanation = run(
        client,
        buyer(lock=LockState(10, NOW + timedelta(hours=1))),
        None,
        GrantType.CLIENT_CREDENTIALS,
    )
    assert explanation.would_issue
    assert rule(explanation, "ClientCredentialsAllowed") == (True, None, False)
    assert rule(explanation, "Lockout")[0] is None
    assert rule(explanation, "PasswordPolicy")[0] is None


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"default_context_username": "jane"}, "Auth.InvalidClientSecret"),
        ({"client_secret": "x"}, "Auth.DefaultContextUserRequired"),
    ],
)
def test_client_credentials_refusals(fields: dict[str, object], code: str) -> None:
    explanation = run(the_client(**fields), buyer(), None, GrantType.CLIENT_CREDENTIALS)
    assert rule(explanation, "ClientCredentialsAllowed") == (False, code, True)


def test_an_anonymous_client_without_a_template_user() -> None:
    explanation = run(the_client(is_anon_buyer=True), buyer(), None, GrantType.CLIENT_CREDENTIALS)
    assert explanation.grant_type is GrantType.ANONYMOUS
    assert rule(explanation, "AnonymousGrantAllowed") == (
        False,
        "Auth.DefaultContextUserRequired",
        True,
    )


@pytest.mark.parametrize("requested", [GrantType.CLIENT_CREDENTIALS, GrantType.ANONYMOUS])
def test_the_anonymous_grant_is_named_and_never_contradicts_itself(requested: GrantType) -> None:
    """Issue 13: on an IsAnonBuyer client without a secret, explain used to say the client
    credentials grant needs a secret, then "pass: the client has a secret"."""
    client = the_client(is_anon_buyer=True, default_context_username="jane")
    explanation = run(client, buyer(), None, requested)
    assert explanation.grant_type is GrantType.ANONYMOUS
    assert explanation.would_issue
    details = {c.rule: c.detail for c in explanation.checks}
    assert "needs one" not in details["ClientSecret"]
    assert "anonymous-buyer" in details["ClientSecret"]
    assert "has a secret" not in " ".join(details.values())
    assert "ClientCredentialsAllowed" not in details
    assert "anonymous grant" in details["AnonymousGrantAllowed"]
    assert "template user 'jane'" in details["UserExists"]
    assert "anonymous grant" in details["Lockout"]


def test_client_credentials_on_an_ordinary_client_stays_client_credentials() -> None:
    client = the_client(client_secret="x", default_context_username="jane")
    explanation = run(client, buyer(), None, GrantType.ANONYMOUS)
    assert explanation.grant_type is GrantType.CLIENT_CREDENTIALS


def test_client_credentials_with_a_missing_default_context_user() -> None:
    client = the_client(client_secret="x", default_context_username="gone")
    explanation = run(client, None, None, GrantType.CLIENT_CREDENTIALS)
    assert rule(explanation, "UserExists") == (False, "Auth.DefaultContextUserNotFound", True)


def test_shared_rules_match_the_token_endpoints_refusals() -> None:
    assert (
        client_credentials_refusal(
            is_anon_buyer=True, has_secret=False, default_context_username=None
        )
        is DCU_REQUIRED
    )
    # The anonymous grant needs no secret.
    assert (
        client_credentials_refusal(
            is_anon_buyer=True, has_secret=False, default_context_username="template"
        )
        is None
    )
    assert (
        client_credentials_refusal(
            is_anon_buyer=False, has_secret=False, default_context_username="x"
        )
        is NO_CLIENT_SECRET
    )
    assert (
        client_credentials_refusal(
            is_anon_buyer=False, has_secret=True, default_context_username=None
        )
        is DCU_REQUIRED
    )
    access = ClientAccess(
        active=True, allow_seller=True, allow_any_buyer=False, allow_any_supplier=False
    )
    admin = UserIdentity(1, "a", UserType.ADMIN, None, True, False)
    assert all(
        refusal is None for _, refusal in access_rules(access, admin, marketplace_active=True)
    )


def test_dropped_roles_cover_every_requested_and_held_role() -> None:
    limits = ClientRoleLimits(maximum_roles=frozenset({"A"}))
    held = RoleSet(frozenset({"A", "B"}), frozenset({"custom"}))
    assert dropped_roles(held, None, limits) == {
        "B": DropReason.ABOVE_CLIENT_MAXIMUM,
        "custom": DropReason.ABOVE_CLIENT_MAXIMUM,
    }
    assert dropped_roles(held, frozenset({"A", "Z"}), ClientRoleLimits()) == {
        "B": DropReason.NOT_REQUESTED,
        "custom": DropReason.NOT_REQUESTED,
        "Z": DropReason.NOT_HELD,
    }


@pytest.mark.parametrize(
    ("roles", "visible"),
    [
        ({"FullAccess"}, {UserType.ADMIN, UserType.BUYER, UserType.SUPPLIER}),
        ({"ApiClientReader"}, set()),
        ({"AdminUserReader"}, {UserType.ADMIN}),
        ({"BuyerUserAdmin"}, {UserType.BUYER}),
        ({"SupplierUserReader", "BuyerUserReader"}, {UserType.BUYER, UserType.SUPPLIER}),
    ],
)
def test_user_visibility_follows_the_user_reader_roles(
    roles: set[str], visible: set[UserType]
) -> None:
    assert {t for t in UserType if user_visible(frozenset(roles), t)} == visible
