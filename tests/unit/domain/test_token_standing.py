"""The rules deciding whether a signed token still stands (domain.token_standing) and the
revocation threshold arithmetic (domain.tokens)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from gatehouse.domain.token_standing import ClientState, Standing, UserState, token_standing
from gatehouse.domain.tokens import (
    MICROS,
    micros,
    revocation_threshold,
    revoked_by,
    seconds_until,
    token_times,
)
from gatehouse.domain.users import UserType

NOW = datetime(2026, 11, 27, 12, 0, 0, 250000, tzinfo=UTC)
CLIENT = ClientState("cid", "mkt", active=True, marketplace_active=True)
USER = UserState(7, "mkt", "Jane", UserType.BUYER, "b1", active=True, tokens_valid_from=0)


def claims(**changes: Any) -> dict[str, Any]:
    times = token_times(NOW, 60)
    base: dict[str, Any] = {"usr": "jane", "cid": "cid", "u": "7", "usrtype": "buyer"}
    return {**base, "nbf": times.nbf, "exp": times.exp, "iat": times.iat, **changes}


def test_valid_when_everything_is_active() -> None:
    assert token_standing(claims(), CLIENT, USER, True) is Standing.VALID


def test_invalid_when_a_subject_is_gone_or_inactive() -> None:
    assert token_standing(claims(), None, USER, True) is Standing.INVALID
    assert token_standing(claims(), replace(CLIENT, active=False), USER, True) is Standing.INVALID
    inactive_mkt = replace(CLIENT, marketplace_active=False)
    assert token_standing(claims(), inactive_mkt, USER, True) is Standing.INVALID
    assert token_standing(claims(), CLIENT, None, True) is Standing.INVALID
    assert token_standing(claims(), CLIENT, replace(USER, active=False), True) is Standing.INVALID
    assert token_standing(claims(), CLIENT, USER, False) is Standing.INVALID
    assert token_standing(claims(), CLIENT, USER, None) is Standing.INVALID


def test_admin_users_need_no_company() -> None:
    admin = replace(USER, user_type=UserType.ADMIN, company_id=None)
    assert token_standing(claims(usrtype="admin"), CLIENT, admin, None) is Standing.VALID


def test_a_user_of_another_marketplace_or_type_does_not_match() -> None:
    assert token_standing(claims(), CLIENT, replace(USER, marketplace_id="x"), True) is (
        Standing.INVALID
    )
    assert token_standing(claims(usrtype="supplier"), CLIENT, USER, True) is Standing.INVALID


def test_revoked_when_issued_before_the_threshold() -> None:
    threshold = revocation_threshold(NOW)
    assert token_standing(claims(), CLIENT, replace(USER, tokens_valid_from=threshold), True) is (
        Standing.REVOKED
    )


def test_a_token_issued_right_after_a_revocation_stands() -> None:
    threshold = revocation_threshold(NOW)
    later = NOW + timedelta(microseconds=1)  # the same second, the next microsecond
    times = token_times(later, 60)
    fresh = claims(nbf=times.nbf, exp=times.exp, jti=f"{times.issued_us:x}.r")
    user = replace(USER, tokens_valid_from=threshold)
    assert token_standing(fresh, CLIENT, user, True) is Standing.VALID
    assert times.iat <= later.timestamp()  # the real time, never in the future
    assert times.nbf < later.timestamp()
    assert times.exp - times.nbf == 3600


def test_anonymous_tokens_are_not_subject_to_the_template_users_revocation() -> None:
    anonymous = claims(orderid="o" * 22)
    del anonymous["u"]
    user = replace(USER, tokens_valid_from=revocation_threshold(NOW))
    assert token_standing(anonymous, CLIENT, user, True) is Standing.VALID


def test_a_second_revocation_in_the_same_second_lies_past_the_first() -> None:
    first = revocation_threshold(NOW)
    assert first == micros(NOW) + 1
    assert seconds_until(first, NOW) == 1 / MICROS
    second = revocation_threshold(NOW + timedelta(microseconds=3), first)
    assert second == first + 3
    # Never lowered by a clock that stepped back, and the wait after it is bounded.
    assert revocation_threshold(NOW - timedelta(seconds=5), first) == first
    assert seconds_until(first, NOW - timedelta(seconds=5)) == 1.0


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=0, max_value=10**9))
def test_revoked_by_is_issue_time_before_threshold(issued: int, valid_from: int) -> None:
    base = 1_700_000_000 * MICROS
    token = {"jti": f"{base + issued:x}.random", "nbf": 0}
    assert revoked_by(token, base + valid_from) == (issued < valid_from)


@given(st.integers(min_value=0, max_value=10**6), st.integers(min_value=0, max_value=10**6))
def test_tokens_minted_before_jti_count_from_the_start_of_their_second(
    offset: int, valid_from_offset: int
) -> None:
    base = 1_700_000_000
    token = {"nbf": base + offset - 1}
    assert revoked_by(token, (base + valid_from_offset) * MICROS) == (offset < valid_from_offset)


def test_tokens_without_nbf_count_as_revoked() -> None:
    assert revoked_by({}, 0)


def test_an_impersonation_token_needs_its_impersonator() -> None:
    from gatehouse.domain.token_standing import Impersonator

    admin = replace(USER, internal_id=9, user_type=UserType.ADMIN, company_id=None)
    minted = claims(imp="9")
    assert token_standing(minted, CLIENT, USER, True, Impersonator(admin, None)) is Standing.VALID
    assert token_standing(minted, CLIENT, USER, True, None) is Standing.INVALID
    gone = Impersonator(None, None)
    assert token_standing(minted, CLIENT, USER, True, gone) is Standing.INVALID
    inactive = Impersonator(replace(admin, active=False), None)
    assert token_standing(minted, CLIENT, USER, True, inactive) is Standing.INVALID
    revoked = Impersonator(replace(admin, tokens_valid_from=revocation_threshold(NOW)), None)
    assert token_standing(minted, CLIENT, USER, True, revoked) is Standing.REVOKED
    buyer_csr = replace(admin, user_type=UserType.BUYER, company_id="b2")
    assert token_standing(minted, CLIENT, USER, True, Impersonator(buyer_csr, False)) is (
        Standing.INVALID
    )
