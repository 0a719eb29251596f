"""Token claims and lifetimes."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from gatehouse.domain.tokens import (
    TokenSubject,
    access_token_claims,
    issued_micros,
    token_times,
)
from gatehouse.domain.users import UserType

NOW = datetime(2026, 1, 1, 12, 0, 0, 500000, tzinfo=UTC)


@given(st.integers(min_value=10, max_value=600))
def test_exp_minus_nbf_is_the_duration(minutes: int) -> None:
    times = token_times(NOW, minutes)
    assert times.exp - times.nbf == minutes * 60
    assert times.nbf < NOW.timestamp()
    assert times.expires_in == minutes * 60 - 1


def test_claims_in_ordercloud_order() -> None:
    subject = TokenSubject("jane", "cid", UserType.BUYER, 42, {"Shopper", "MeAdmin"})
    claims = access_token_claims(subject, token_times(NOW, 60), "https://gh.example")
    assert list(claims) == [
        *["usr", "cid", "u", "usrtype", "role", "iss", "aud", "exp", "nbf"],
        *["iat", "jti", "sub", "client_id", "scope"],
    ]
    assert claims["u"] == claims["sub"] == "42"
    assert claims["client_id"] == claims["cid"] == "cid"
    assert claims["scope"] == "MeAdmin Shopper"
    assert claims["iat"] == int(NOW.timestamp()) == claims["nbf"] + 1
    assert claims["role"] == ["MeAdmin", "Shopper"]
    assert claims["iss"] == claims["aud"] == "https://gh.example"


def test_no_u_and_no_role_when_absent() -> None:
    subject = TokenSubject("anon", "cid", UserType.BUYER, None, set())
    claims = access_token_claims(subject, token_times(NOW, 60), "x")
    assert "u" not in claims
    assert "role" not in claims


def test_jti_is_unique_and_carries_the_exact_issue_time() -> None:
    subject = TokenSubject("jane", "cid", UserType.BUYER, 42, {"Shopper"})
    times = token_times(NOW, 60)
    ids = {access_token_claims(subject, times, "x")["jti"] for _ in range(1000)}
    assert len(ids) == 1000
    claims = access_token_claims(subject, times, "x")
    assert issued_micros(claims) == times.issued_us == int(NOW.timestamp()) * 10**6 + 500000


def test_anonymous_sub_is_the_order_id() -> None:
    subject = TokenSubject("anon", "cid", UserType.BUYER, None, set(), order_id="o" * 22)
    claims = access_token_claims(subject, token_times(NOW, 60), "x")
    assert claims["sub"] == "o" * 22
    assert claims["scope"] == ""
