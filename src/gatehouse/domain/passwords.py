"""Password policy: the minimum rules every password must meet (decisions.md).

OrderCloud's floor since 2021: at least 10 characters with an upper-case letter, a lower-case
letter and a digit. Security-profile PasswordConfigs can only make it stricter (a later issue).
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_PASSWORD_LENGTH = 1024  # bounds hashing cost on hostile input


@dataclass(frozen=True, slots=True)
class PasswordPolicy:
    minimum_length: int = 10
    upper_required: bool = True
    lower_required: bool = True
    digit_required: bool = True
    special_required: bool = False

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
    return all(present for required, present in checks if required)
