"""Impersonation rules (spec §3.10): config validation and conflicts, which configs match an
impersonator and an impersonatee, and the roles an impersonation token gets."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gatehouse.domain.errors import ConflictError, InvalidInputError, RequiredFieldError
from gatehouse.domain.impersonation import (
    ImpersonationConfig,
    Party,
    TokenRequest,
    build_config,
    conflict_error,
    conflicting,
    impersonatee_buyer_matches,
    impersonatee_matches,
    impersonation_roles,
    impersonator_matches,
    parse_token_request,
)
from gatehouse.domain.roles import ClientRoleLimits, RoleSet
from gatehouse.domain.users import UserType

CLIENT = "0d2b6c1e-6e5b-4ac4-9c55-5d4fdbd3b4f7"


def fields(**extra: Any) -> dict[str, Any]:
    return {"security_profile_id": "p", "client_id": CLIENT, **extra}


def config(**extra: Any) -> ImpersonationConfig:
    return build_config("c", fields(**extra))


ADMIN = Party(UserType.ADMIN, None, "admin", frozenset({"desk"}))
BUYER_CALLER = Party(UserType.BUYER, "b2", "bob", frozenset({"csr"}))
SUPPLIER = Party(UserType.SUPPLIER, "s1", "sue")
JANE = Party(UserType.BUYER, "b1", "jane", frozenset({"vip"}))


class TestBuildConfig:
    def test_minimal_config(self) -> None:
        built = config()
        assert built == ImpersonationConfig(id="c", security_profile_id="p", client_id=CLIENT)

    def test_client_id_is_stored_lowercase_and_empty_ids_mean_none(self) -> None:
        built = build_config("c", fields(client_id=CLIENT.upper(), buyer_id="", name=""))
        assert built.client_id == CLIENT
        assert built.buyer_id is None
        assert built.name is None

    @pytest.mark.parametrize("missing", ["security_profile_id", "client_id"])
    def test_required_fields(self, missing: str) -> None:
        with pytest.raises(RequiredFieldError) as raised:
            build_config("c", fields(**{missing: None}))
        assert raised.value.data == {
            "Field": {"security_profile_id": "SecurityProfileID", "client_id": "ClientID"}[missing]
        }

    @pytest.mark.parametrize(
        "field",
        ["buyer_id", "group_id", "user_id", "impersonation_buyer_id", "security_profile_id"],
    )
    def test_ids_follow_the_id_rules(self, field: str) -> None:
        with pytest.raises(InvalidInputError):
            build_config("c", fields(**{"buyer_id": "b", field: "not valid!"}))

    def test_bad_own_id_name_and_client(self) -> None:
        for bad_id in ("", "x" * 101, "a b"):
            with pytest.raises(InvalidInputError):
                build_config(bad_id, fields())
        with pytest.raises(InvalidInputError):
            config(name="n" * 101)
        with pytest.raises(InvalidInputError):
            config(client_id="x" * 37)

    def test_a_side_names_a_group_or_a_user_not_both(self) -> None:
        with pytest.raises(InvalidInputError) as raised:
            config(impersonation_group_id="g", impersonation_user_id="u")
        assert raised.value.code == "PartyAssignment.CannotSpecifyGroupAndUser"
        with pytest.raises(InvalidInputError):
            config(buyer_id="b", group_id="g", user_id="u")

    @pytest.mark.parametrize("field", ["group_id", "user_id"])
    def test_impersonatee_group_or_user_needs_the_buyer(self, field: str) -> None:
        with pytest.raises(RequiredFieldError) as raised:
            config(**{field: "x"})
        assert raised.value.data == {"Field": "BuyerID"}


class TestConflicts:
    def test_same_client_profile_and_parties_conflict(self) -> None:
        existing = config(buyer_id="b1")
        new = replace(existing, id="other", name="different name")
        assert conflicting(new, [existing]) is existing
        error = conflict_error(existing)
        assert isinstance(error, ConflictError)
        assert error.code == "ImpersonationConfig.ConflictingImpersonationConfigExists"
        assert error.data == {"ObjectType": "ImpersonationConfig", "ObjectID": "c"}

    @pytest.mark.parametrize(
        "change",
        [
            {"security_profile_id": "p2"},
            {"client_id": "other"},
            {"buyer_id": "b2"},
            {"user_id": "jane"},
            {"impersonation_buyer_id": "b9"},
            {"impersonation_user_id": "admin"},
        ],
    )
    def test_any_difference_is_no_conflict(self, change: dict[str, str]) -> None:
        existing = config(buyer_id="b1")
        assert conflicting(replace(existing, id="other", **change), [existing]) is None

    def test_a_config_never_conflicts_with_itself(self) -> None:
        existing = config()
        assert conflicting(existing, [existing]) is None


class TestImpersonator:
    def test_admin_side(self) -> None:
        assert impersonator_matches(config(), ADMIN)
        assert impersonator_matches(config(impersonation_user_id="admin"), ADMIN)
        assert not impersonator_matches(config(impersonation_user_id="other"), ADMIN)
        assert impersonator_matches(config(impersonation_group_id="desk"), ADMIN)
        assert not impersonator_matches(config(impersonation_group_id="other"), ADMIN)
        assert not impersonator_matches(config(impersonation_buyer_id="b2"), ADMIN)

    def test_buyer_side(self) -> None:
        assert not impersonator_matches(config(), BUYER_CALLER)  # admin configs
        assert impersonator_matches(config(impersonation_buyer_id="b2"), BUYER_CALLER)
        assert not impersonator_matches(config(impersonation_buyer_id="b1"), BUYER_CALLER)
        assert impersonator_matches(
            config(impersonation_buyer_id="b2", impersonation_group_id="csr"), BUYER_CALLER
        )
        assert not impersonator_matches(
            config(impersonation_buyer_id="b2", impersonation_user_id="other"), BUYER_CALLER
        )

    def test_suppliers_never_impersonate(self) -> None:
        assert not impersonator_matches(config(), SUPPLIER)
        assert not impersonator_matches(config(impersonation_buyer_id="s1"), SUPPLIER)


class TestImpersonatee:
    def test_matching(self) -> None:
        assert impersonatee_matches(config(), JANE)
        assert impersonatee_matches(config(buyer_id="b1"), JANE)
        assert not impersonatee_matches(config(buyer_id="b2"), JANE)
        assert impersonatee_matches(config(buyer_id="b1", user_id="jane"), JANE)
        assert not impersonatee_matches(config(buyer_id="b1", user_id="bob"), JANE)
        assert impersonatee_matches(config(buyer_id="b1", group_id="vip"), JANE)
        assert not impersonatee_matches(config(buyer_id="b1", group_id="other"), JANE)

    def test_buyer_level_check(self) -> None:
        assert impersonatee_buyer_matches(config(), "anything")
        assert impersonatee_buyer_matches(config(buyer_id="b1"), "b1")
        assert not impersonatee_buyer_matches(config(buyer_id="b1"), "b2")


class TestTokenRequest:
    def test_parse(self) -> None:
        parsed = parse_token_request(CLIENT.upper(), ["Shopper"], None)
        assert parsed == TokenRequest(CLIENT, frozenset({"Shopper"}), frozenset())

    def test_required(self) -> None:
        with pytest.raises(RequiredFieldError):
            parse_token_request(None, ["Shopper"], None)
        with pytest.raises(RequiredFieldError):
            parse_token_request(" ", ["Shopper"], None)
        with pytest.raises(RequiredFieldError):
            parse_token_request(CLIENT, None, ["x"])

    def test_invalid_roles(self) -> None:
        with pytest.raises(InvalidInputError) as raised:
            parse_token_request(CLIENT, ["Shopper", "Nope"], None)
        assert raised.value.data == {"Field": "Roles", "InvalidRoles": ["Nope"]}
        with pytest.raises(InvalidInputError):
            parse_token_request(CLIENT, [], [""])
        with pytest.raises(InvalidInputError):
            parse_token_request(CLIENT, [], ["x" * 101])
        with pytest.raises(InvalidInputError):
            parse_token_request(CLIENT, ["Shopper"] * 201, None)


def request(*roles: str, custom: tuple[str, ...] = ()) -> TokenRequest:
    return TokenRequest(CLIENT, frozenset(roles), frozenset(custom))


PROFILE = RoleSet(frozenset({"Shopper", "MeAdmin"}), frozenset({"CsrView"}))


class TestRoles:
    def test_requested_intersect_profile(self) -> None:
        granted = impersonation_roles(
            request("Shopper", "OrderAdmin", custom=("CsrView", "Other")),
            [PROFILE],
            ClientRoleLimits(),
        )
        assert granted == {"Shopper", "CsrView"}

    def test_union_of_matching_profiles(self) -> None:
        other = RoleSet(frozenset({"OrderAdmin"}))
        granted = impersonation_roles(
            request("Shopper", "OrderAdmin"), [PROFILE, other], ClientRoleLimits()
        )
        assert granted == {"Shopper", "OrderAdmin"}

    def test_client_maximum(self) -> None:
        limits = ClientRoleLimits(maximum_roles=frozenset({"Shopper"}))
        granted = impersonation_roles(request("Shopper", "MeAdmin"), [PROFILE], limits)
        assert granted == {"Shopper"}

    def test_client_minimum(self) -> None:
        limits = ClientRoleLimits(minimum_roles=frozenset({"MeAdmin"}))
        with pytest.raises(InvalidInputError) as raised:
            impersonation_roles(request("Shopper"), [PROFILE], limits)
        assert raised.value.code == "Auth.InsufficientRoles"
        assert impersonation_roles(request("Shopper", "MeAdmin"), [PROFILE], limits)

    def test_full_access_is_not_expanded(self) -> None:
        full = RoleSet(frozenset({"FullAccess"}))
        with pytest.raises(InvalidInputError) as raised:
            impersonation_roles(request("Shopper"), [full], ClientRoleLimits())
        assert raised.value.code == "Impersonation.ConfigError"
        assert impersonation_roles(request("FullAccess"), [full], ClientRoleLimits()) == {
            "FullAccess"
        }

    @pytest.mark.parametrize("profiles", [[], [RoleSet()]])
    def test_nothing_granted_is_a_config_error(self, profiles: list[RoleSet]) -> None:
        with pytest.raises(InvalidInputError) as raised:
            impersonation_roles(request("Shopper"), profiles, ClientRoleLimits())
        assert raised.value.code == "Impersonation.ConfigError"

    @given(
        st.frozensets(st.sampled_from(["Shopper", "MeAdmin", "OrderAdmin", "X"])),
        st.frozensets(st.sampled_from(["Shopper", "MeAdmin", "OrderAdmin", "X"])),
    )
    def test_never_more_than_requested_or_offered(
        self, asked: frozenset[str], offered: frozenset[str]
    ) -> None:
        try:
            granted = impersonation_roles(
                TokenRequest(CLIENT, asked, frozenset()), [RoleSet(offered)], ClientRoleLimits()
            )
        except InvalidInputError:
            assert not asked & offered
        else:
            assert granted == asked & offered
