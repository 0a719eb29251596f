"""Origins as browsers send them, the deployment policy and the per-client rule."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gatehouse.domain.errors import InvalidInputError
from gatehouse.domain.origins import (
    MAX_ORIGINS,
    OriginPolicy,
    client_allows,
    normalize_origin,
    validate_origins,
)


@pytest.mark.parametrize(
    ("given_value", "expected"),
    [
        ("https://shop.example.com", "https://shop.example.com"),
        ("HTTPS://Shop.Example.COM", "https://shop.example.com"),
        ("https://shop.example.com:443", "https://shop.example.com"),
        ("http://localhost:80", "http://localhost"),
        ("http://127.0.0.1:5173", "http://127.0.0.1:5173"),
        ("https://shop.example.com:8443", "https://shop.example.com:8443"),
        ("http://[::1]:3000", "http://[::1]:3000"),
        ("capacitor://localhost", "capacitor://localhost"),
        ("  https://a.example  ", "https://a.example"),
    ],
)
def test_normalized_as_browsers_send_them(given_value: str, expected: str) -> None:
    assert normalize_origin(given_value) == expected


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "*",
        "null",
        "shop.example.com",
        "https://shop.example.com/",
        "https://shop.example.com/path",
        "https://shop.example.com?x=1",
        "https://shop.example.com#x",
        "https://user:pw@shop.example.com",
        "https://",
        "https://shop.example.com:99999",
        "https://shop .example.com",
        "https://bücher.example",
        "https://" + "a" * 300 + ".example",
    ],
)
def test_what_is_not_an_origin(bad: str) -> None:
    with pytest.raises(InvalidInputError) as raised:
        normalize_origin(bad)
    assert raised.value.code == "ApiClient.InvalidOrigin"


def test_lists_are_normalised_deduplicated_and_bounded() -> None:
    assert validate_origins(["https://A.example", "https://a.example:443", "http://b.example"]) == (
        "https://a.example",
        "http://b.example",
    )
    with pytest.raises(InvalidInputError) as raised:
        validate_origins(f"https://s{n}.example" for n in range(MAX_ORIGINS + 1))
    assert raised.value.code == "ApiClient.TooManyOrigins"


def test_client_rule() -> None:
    listed = ("https://shop.example",)
    assert client_allows(listed, "https://shop.example")
    assert not client_allows(listed, "https://elsewhere.example")
    assert not client_allows(listed, "null")
    assert client_allows(listed, None), "not a cross-origin browser request"
    assert client_allows((), "https://elsewhere.example"), "no list: the deployment decides"


@pytest.mark.parametrize(
    ("setting", "any_origin", "origins", "enabled"),
    [
        ("*", True, frozenset(), True),
        (" * ", True, frozenset(), True),
        ("", False, frozenset(), False),
        ("   ", False, frozenset(), False),
        (
            "https://a.example, HTTPS://B.example:443",
            False,
            frozenset({"https://a.example", "https://b.example"}),
            True,
        ),
        ("https://a.example https://b.example", False, None, True),
    ],
)
def test_deployment_policy(
    setting: str, any_origin: bool, origins: frozenset[str] | None, enabled: bool
) -> None:
    policy = OriginPolicy.parse(setting)
    assert policy.any_origin is any_origin
    assert policy.enabled is enabled
    if origins is not None:
        assert policy.origins == origins
    assert policy.allows("https://a.example") is (enabled and (any_origin or bool(policy.origins)))
    assert policy.allows("https://c.example") is any_origin


@pytest.mark.parametrize("bad", ["* https://a.example", "https://a.example/x", "nope"])
def test_malformed_policy(bad: str) -> None:
    with pytest.raises(ValueError, match="GATEHOUSE_CORS_ORIGINS"):
        OriginPolicy.parse(bad)


@given(
    scheme=st.sampled_from(["http", "https"]),
    host=st.from_regex(r"[a-z][a-z0-9-]{0,20}(\.[a-z][a-z0-9-]{0,20}){0,3}", fullmatch=True),
    port=st.none() | st.integers(min_value=1, max_value=65535),
)
def test_normalising_is_idempotent(scheme: str, host: str, port: int | None) -> None:
    value = f"{scheme}://{host}" + ("" if port is None else f":{port}")
    once = normalize_origin(value)
    assert normalize_origin(once) == once
    assert normalize_origin(value.upper()) == once
