"""Password policy: the minimum rules every password must meet (decisions.md), and the
security-profile ``PasswordConfig``s that can make them stricter (spec §3.4, §5.1).

OrderCloud's floor since 2021: at least 10 characters with an upper-case letter, a lower-case
letter and a digit. A user reached by several profiles gets the strictest combination of their
PasswordConfigs, and a config can never go below the floor.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import reduce
from typing import Any

from gatehouse.domain.errors import InvalidInputError

MAX_PASSWORD_LENGTH = 1024  # bounds hashing cost on hostile input
MINIMUM_LENGTH = 10
INVALID_CONFIG = "SecurityProfile.InvalidPasswordConfiguration"


@dataclass(frozen=True, slots=True)
class PasswordPolicy:
    """What a password's text must look like. ``max_consecutive_duplicates`` 0 = no limit."""

    minimum_length: int = MINIMUM_LENGTH
    upper_required: bool = True
    lower_required: bool = True
    digit_required: bool = True
    special_required: bool = False
    max_consecutive_duplicates: int = 0

    def as_data(self) -> dict[str, int | bool]:
        """The PasswordConfig-shaped ``Data`` of a policy error."""
        return {
            "MinimumCharacterCount": self.minimum_length,
            "UpperCaseRequired": self.upper_required,
            "LowerCaseRequired": self.lower_required,
            "NumericRequired": self.digit_required,
            "SpecialCharacterRequired": self.special_required,
        }


DEFAULT_POLICY = PasswordPolicy()


def meets_policy(password: str, policy: PasswordPolicy = DEFAULT_POLICY) -> bool:
    if not policy.minimum_length <= len(password) <= MAX_PASSWORD_LENGTH:
        return False
    checks = (
        (policy.upper_required, any(c.isupper() for c in password)),
        (policy.lower_required, any(c.islower() for c in password)),
        (policy.digit_required, any(c.isdigit() for c in password)),
        (policy.special_required, any(not c.isalnum() for c in password)),
    )
    if not all(present for required, present in checks if required):
        return False
    limit = policy.max_consecutive_duplicates
    return limit <= 0 or longest_run(password) <= limit


def longest_run(text: str) -> int:
    """The length of the longest run of one repeated character ("aaab" → 3)."""
    longest = run = 0
    previous = None
    for char in text:
        run = run + 1 if char == previous else 1
        longest = max(longest, run)
        previous = char
    return longest


@dataclass(frozen=True, slots=True)
class PasswordConfig:
    """A security profile's ``PasswordConfig`` (spec §5.1); ``None`` means "not set".

    Durations keep OrderCloud's units: ``lockout_duration`` and ``minimum_password_age`` in
    minutes (``lockout_duration`` 0 = locked until an admin unlocks), ``maximum_password_age``
    in days. ``max_consecutive_dupe_chars`` is the longest allowed run of one character
    (0 = no limit).
    """

    limit_password_reuse: int | None = None
    max_consecutive_dupe_chars: int | None = None
    maximum_password_age: int | None = None
    minimum_password_age: int | None = None
    allowed_failed_attempts: int | None = None
    lockout_duration: int | None = None
    upper_case_required: bool = False
    lower_case_required: bool = False
    special_character_required: bool = False
    numeric_required: bool = False
    minimum_character_count: int | None = None

    def as_data(self) -> dict[str, int | bool | None]:
        """Every field under its wire name, in the SDK's order (stored, returned, and the
        ``Data`` of a policy error)."""
        return {wire: getattr(self, name) for wire, name in WIRE_NAMES.items()}


WIRE_NAMES = {
    "".join(p.capitalize() for p in f.name.split("_")): f.name
    for f in dataclasses.fields(PasswordConfig)
}
# Valid ranges of the integer fields (spec §5.1); LockoutDuration also allows 0.
RANGES: dict[str, tuple[int, int]] = {
    "LimitPasswordReuse": (0, 24),
    "MaxConsecutiveDupeChars": (0, 24),
    "MaximumPasswordAge": (1, 365),
    "MinimumPasswordAge": (0, 60),
    "AllowedFailedAttempts": (1, 9),
    "LockoutDuration": (10, 1440),
    "MinimumCharacterCount": (MINIMUM_LENGTH, MAX_PASSWORD_LENGTH),
}
_FLOOR = PasswordConfig(
    upper_case_required=True,
    lower_case_required=True,
    numeric_required=True,
    minimum_character_count=MINIMUM_LENGTH,
)


def validate_password_config(raw: Mapping[str, Any] | None) -> dict[str, object] | None:
    """Check a PasswordConfig sent on a SecurityProfile and return it normalised for storage
    (every field present, unknown properties dropped); raise ``InvalidInputError`` with
    ``SecurityProfile.InvalidPasswordConfiguration`` on the first bad field."""
    if raw is None:
        return None
    values: dict[str, Any] = {}
    for wire, name in WIRE_NAMES.items():
        value = raw.get(wire)
        if value is not None:
            values[name] = (
                _checked_bool(wire, value) if wire not in RANGES else _checked_int(wire, value)
            )
    return dict(PasswordConfig(**values).as_data())


def _checked_bool(wire: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise InvalidInputError(INVALID_CONFIG, f"{wire} must be true or false.", {"Field": wire})
    return value


def _checked_int(wire: str, value: object) -> int:
    number = _as_int(value)
    if number is None or not _in_range(wire, number):
        low, high = RANGES[wire]
        zero = " (or 0)" if wire == "LockoutDuration" else ""
        raise InvalidInputError(
            INVALID_CONFIG,
            f"{wire} must be a whole number between {low} and {high}{zero}.",
            {"Field": wire, "Minimum": low, "Maximum": high, "Value": value},
        )
    return number


def _in_range(wire: str, number: int) -> bool:
    low, high = RANGES[wire]
    return low <= number <= high or (wire == "LockoutDuration" and number == 0)


def _as_int(value: object) -> int | None:
    """Integers, and numeric strings as OrderCloud's .NET deserializer accepts them (ASCII
    digits only, and short, so ``int()`` is never handed a hostile megabyte)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"\s*-?[0-9]{1,10}\s*", value):
        return int(value)
    return None


def read_password_config(raw: object) -> PasswordConfig:
    """A stored PasswordConfig, read leniently: a value of the wrong type or out of range
    counts as unset, so data stored before validation existed can never break a login."""
    if not isinstance(raw, Mapping):
        return PasswordConfig()
    values: dict[str, Any] = {}
    for wire, name in WIRE_NAMES.items():
        value = raw.get(wire)
        if _is_valid_stored(wire, value):
            values[name] = value
    return PasswordConfig(**values)


def _is_valid_stored(wire: str, value: object) -> bool:
    if wire not in RANGES:
        return isinstance(value, bool)
    return isinstance(value, int) and not isinstance(value, bool) and _in_range(wire, value)


def _stricter_min(a: int | None, b: int | None) -> int | None:
    return b if a is None else a if b is None else min(a, b)


def _stricter_max(a: int | None, b: int | None) -> int | None:
    return b if a is None else a if b is None else max(a, b)


def _stricter_lockout(a: int | None, b: int | None) -> int | None:
    """Longer is stricter, and 0 (until an admin unlocks) is the longest of all."""
    if a == 0 or b == 0:
        return 0
    return _stricter_max(a, b)


def _stricter_run_limit(a: int | None, b: int | None) -> int | None:
    """The smaller positive limit; 0 means "no limit", so it is the weakest value."""
    positive = [v for v in (a, b) if v]
    if positive:
        return min(positive)
    return b if a is None else a


_COMBINE: dict[str, Callable[[Any, Any], Any]] = {
    "limit_password_reuse": _stricter_max,
    "max_consecutive_dupe_chars": _stricter_run_limit,
    "maximum_password_age": _stricter_min,
    "minimum_password_age": _stricter_max,
    "allowed_failed_attempts": _stricter_min,
    "lockout_duration": _stricter_lockout,
    "minimum_character_count": _stricter_max,
}


def strictest(a: PasswordConfig, b: PasswordConfig) -> PasswordConfig:
    """The combination that is at least as strict as both, field by field: longer minimum
    length, every required character class, fewer allowed failures, longer lockout, shorter
    maximum age, …"""
    values = {
        f.name: _COMBINE[f.name](getattr(a, f.name), getattr(b, f.name))
        if f.name in _COMBINE
        else getattr(a, f.name) or getattr(b, f.name)  # booleans: any profile requiring it
        for f in dataclasses.fields(PasswordConfig)
    }
    return PasswordConfig(**values)


def effective_config(stored: Iterable[object]) -> PasswordConfig:
    """The config that applies to a user reached by profiles with these stored PasswordConfigs
    (``None`` entries for profiles without one): their strictest combination, never weaker
    than OrderCloud's floor."""
    return reduce(strictest, (read_password_config(raw) for raw in stored), _FLOOR)


def policy_of(config: PasswordConfig) -> PasswordPolicy:
    """The text rules of an effective config (see ``effective_config``)."""
    return PasswordPolicy(
        minimum_length=max(config.minimum_character_count or 0, MINIMUM_LENGTH),
        upper_required=config.upper_case_required,
        lower_required=config.lower_case_required,
        digit_required=config.numeric_required,
        special_required=config.special_character_required,
        max_consecutive_duplicates=config.max_consecutive_dupe_chars or 0,
    )


def password_expired(last_set: datetime | None, now: datetime, config: PasswordConfig) -> bool:
    """True once a password is older than ``MaximumPasswordAge`` days. A user whose password
    date is unknown is not expired (there is nothing to measure from)."""
    if config.maximum_password_age is None or last_set is None:
        return False
    return now - last_set > timedelta(days=config.maximum_password_age)
