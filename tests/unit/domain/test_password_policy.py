"""PasswordConfig: validation, lenient reading, the strictest combination, the effective
policy and password age."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gatehouse.domain.errors import InvalidInputError
from gatehouse.domain.passwords import (
    RANGES,
    PasswordConfig,
    PasswordPolicy,
    effective_config,
    longest_run,
    meets_policy,
    password_expired,
    policy_of,
    read_password_config,
    strictest,
    validate_password_config,
)

ALL_UNSET: dict[str, object] = {
    "LimitPasswordReuse": None,
    "MaxConsecutiveDupeChars": None,
    "MaximumPasswordAge": None,
    "MinimumPasswordAge": None,
    "AllowedFailedAttempts": None,
    "LockoutDuration": None,
    "UpperCaseRequired": False,
    "LowerCaseRequired": False,
    "SpecialCharacterRequired": False,
    "NumericRequired": False,
    "MinimumCharacterCount": None,
}


# --- validation --------------------------------------------------------------------------


def test_null_config_stays_null() -> None:
    assert validate_password_config(None) is None


def test_normalised_with_every_field_in_sdk_order() -> None:
    stored = validate_password_config({"MinimumCharacterCount": 12, "Unknown": 1})
    assert stored == {**ALL_UNSET, "MinimumCharacterCount": 12}
    assert list(stored) == list(ALL_UNSET)


def test_numeric_strings_are_numbers() -> None:
    stored = validate_password_config({"AllowedFailedAttempts": "5"})
    assert stored is not None and stored["AllowedFailedAttempts"] == 5


@pytest.mark.parametrize(
    ("field", "low", "high"),
    [(field, low, high) for field, (low, high) in RANGES.items()],
)
def test_range_boundaries(field: str, low: int, high: int) -> None:
    for good in (low, high):
        stored = validate_password_config({field: good})
        assert stored is not None and stored[field] == good
    for bad in (low - 1, high + 1):
        if field == "LockoutDuration" and bad == 9:
            continue  # checked below with 0
        with pytest.raises(InvalidInputError) as raised:
            validate_password_config({field: bad})
        assert raised.value.code == "SecurityProfile.InvalidPasswordConfiguration"
        assert raised.value.data["Field"] == field


@pytest.mark.parametrize(("value", "ok"), [(0, True), (1, False), (9, False), (10, True)])
def test_lockout_duration_zero_means_until_unlocked(value: int, ok: bool) -> None:
    if ok:
        assert validate_password_config({"LockoutDuration": value}) is not None
    else:
        with pytest.raises(InvalidInputError):
            validate_password_config({"LockoutDuration": value})


def test_minimum_length_below_ten_is_refused() -> None:
    with pytest.raises(InvalidInputError) as raised:
        validate_password_config({"MinimumCharacterCount": 8})
    assert raised.value.code == "SecurityProfile.InvalidPasswordConfiguration"
    assert raised.value.data == {
        "Field": "MinimumCharacterCount",
        "Minimum": 10,
        "Maximum": 1024,
        "Value": 8,
    }


@pytest.mark.parametrize(
    "config",
    [
        {"UpperCaseRequired": "yes"},
        {"NumericRequired": 1},
        {"AllowedFailedAttempts": True},
        {"AllowedFailedAttempts": 2.5},
        {"AllowedFailedAttempts": "two"},
        {"MaximumPasswordAge": [30]},
        {"MaximumPasswordAge": "9" * 5000},  # refused, never handed to int()
        {"MaximumPasswordAge": "\u0663"},  # a non-ASCII digit
    ],
)
def test_wrong_types_are_refused(config: dict[str, Any]) -> None:
    with pytest.raises(InvalidInputError) as raised:
        validate_password_config(config)
    assert raised.value.code == "SecurityProfile.InvalidPasswordConfiguration"


# --- reading stored configs -----------------------------------------------------------------


@pytest.mark.parametrize("stored", [None, "junk", 5, [], {}])
def test_reading_nothing_gives_an_empty_config(stored: object) -> None:
    assert read_password_config(stored) == PasswordConfig()


def test_reading_ignores_values_of_the_wrong_type() -> None:
    config = read_password_config(
        {"MinimumCharacterCount": "12", "UpperCaseRequired": 1, "AllowedFailedAttempts": 4}
    )
    assert config == PasswordConfig(allowed_failed_attempts=4)


def test_reading_ignores_values_out_of_range() -> None:
    config = read_password_config(
        {"AllowedFailedAttempts": -3, "MinimumCharacterCount": 5, "LockoutDuration": 0}
    )
    assert config == PasswordConfig(lockout_duration=0)


def test_validated_configs_read_back_unchanged() -> None:
    sent = {"MinimumCharacterCount": 16, "SpecialCharacterRequired": True, "LockoutDuration": 0}
    assert read_password_config(validate_password_config(sent)) == PasswordConfig(
        minimum_character_count=16, special_character_required=True, lockout_duration=0
    )


# --- the strictest combination ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "a", "b", "expected"),
    [
        ("minimum_character_count", 12, 16, 16),
        ("minimum_character_count", None, 16, 16),
        ("allowed_failed_attempts", 3, 7, 3),
        ("allowed_failed_attempts", 3, None, 3),
        ("lockout_duration", 10, 60, 60),
        ("lockout_duration", 0, 1440, 0),
        ("lockout_duration", 1440, 0, 0),
        ("lockout_duration", None, 0, 0),
        ("maximum_password_age", 30, 90, 30),
        ("maximum_password_age", None, 90, 90),
        ("minimum_password_age", 5, 60, 60),
        ("limit_password_reuse", 3, 5, 5),
        ("max_consecutive_dupe_chars", 3, 2, 2),
        ("max_consecutive_dupe_chars", 0, 2, 2),  # 0 = no limit, the weakest
        ("max_consecutive_dupe_chars", 0, None, 0),
        ("max_consecutive_dupe_chars", None, None, None),
        ("upper_case_required", False, True, True),
        ("special_character_required", True, False, True),
        ("numeric_required", False, False, False),
    ],
)
def test_strictest_field_by_field(field: str, a: Any, b: Any, expected: object) -> None:
    left = PasswordConfig(**{field: a})
    right = PasswordConfig(**{field: b})
    assert getattr(strictest(left, right), field) == expected
    assert getattr(strictest(right, left), field) == expected


def test_effective_config_never_goes_below_the_floor() -> None:
    floor = effective_config([])
    assert floor == effective_config([None, {}, "junk"])
    assert policy_of(floor) == PasswordPolicy()
    assert floor.as_data()["MinimumCharacterCount"] == 10
    assert floor.as_data()["UpperCaseRequired"] is True


def test_effective_config_combines_every_profile() -> None:
    config = effective_config(
        [
            {"MinimumCharacterCount": 12, "AllowedFailedAttempts": 5},
            {"SpecialCharacterRequired": True, "AllowedFailedAttempts": 3},
            None,
        ]
    )
    assert config == PasswordConfig(
        minimum_character_count=12,
        special_character_required=True,
        upper_case_required=True,
        lower_case_required=True,
        numeric_required=True,
        allowed_failed_attempts=3,
    )


configs = st.builds(
    PasswordConfig,
    limit_password_reuse=st.one_of(st.none(), st.integers(0, 24)),
    max_consecutive_dupe_chars=st.one_of(st.none(), st.integers(0, 24)),
    maximum_password_age=st.one_of(st.none(), st.integers(1, 365)),
    minimum_password_age=st.one_of(st.none(), st.integers(0, 60)),
    allowed_failed_attempts=st.one_of(st.none(), st.integers(1, 9)),
    lockout_duration=st.one_of(st.none(), st.just(0), st.integers(10, 1440)),
    upper_case_required=st.booleans(),
    lower_case_required=st.booleans(),
    special_character_required=st.booleans(),
    numeric_required=st.booleans(),
    minimum_character_count=st.one_of(st.none(), st.integers(10, 30)),
)


@given(configs, configs, configs)
def test_combination_is_order_free(a: PasswordConfig, b: PasswordConfig, c: PasswordConfig) -> None:
    """Commutative, associative and idempotent: the order profiles are found in never matters."""
    assert strictest(a, b) == strictest(b, a)
    assert strictest(strictest(a, b), c) == strictest(a, strictest(b, c))
    assert strictest(a, a) == a


@given(configs, configs, st.text(min_size=10, max_size=40))
def test_a_password_meeting_the_combination_meets_each_part(
    a: PasswordConfig, b: PasswordConfig, password: str
) -> None:
    combined = effective_config([a.as_data(), b.as_data()])
    if meets_policy(password, policy_of(combined)):
        assert meets_policy(password, policy_of(effective_config([a.as_data()])))
        assert meets_policy(password, policy_of(effective_config([b.as_data()])))


# --- the text rules --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "run"), [("", 0), ("a", 1), ("abc", 1), ("aab", 2), ("abbbc", 3), ("aaaa", 4)]
)
def test_longest_run(text: str, run: int) -> None:
    assert longest_run(text) == run


@pytest.mark.parametrize(
    ("password", "limit", "ok"),
    [
        ("Abcdefgh11", 2, True),
        ("Abcdefgh111", 2, False),
        ("Abcdefgh111", 3, True),
        ("Aaaaaaaaa1", 0, True),  # 0 = no limit
    ],
)
def test_consecutive_duplicates(password: str, limit: int, ok: bool) -> None:
    assert meets_policy(password, PasswordPolicy(max_consecutive_duplicates=limit)) is ok


def test_policy_of_a_config() -> None:
    config = effective_config(
        [
            {
                "MinimumCharacterCount": 14,
                "SpecialCharacterRequired": True,
                "MaxConsecutiveDupeChars": 2,
            }
        ]
    )
    policy = policy_of(config)
    assert policy == PasswordPolicy(14, True, True, True, True, 2)
    assert not meets_policy("Abcdefghij12!", policy)  # 13 characters
    assert not meets_policy("Abcdefghijk123", policy)  # no special character
    assert meets_policy("Abcdefghijk12!", policy)


# --- password age ----------------------------------------------------------------------------

NOW = datetime(2025, 6, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("age", "maximum_days", "expired"),
    [
        (timedelta(days=30), None, False),
        (timedelta(days=30), 30, False),
        (timedelta(days=30, seconds=1), 30, True),
        (timedelta(days=400), 365, True),
    ],
)
def test_password_expired(age: timedelta, maximum_days: int | None, expired: bool) -> None:
    config = PasswordConfig(maximum_password_age=maximum_days)
    assert password_expired(NOW - age, NOW, config) is expired


def test_an_unknown_password_date_never_expires() -> None:
    assert not password_expired(None, NOW, PasswordConfig(maximum_password_age=1))
