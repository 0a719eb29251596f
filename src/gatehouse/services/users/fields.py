"""Which users a call is about (``UserScope``), what it answers (``UserView``) and the rules a
written user must meet: a valid ID, the required fields, length limits and a valid ``xp``."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Any

from gatehouse.domain.errors import InvalidInputError, RequiredFieldError
from gatehouse.domain.ids import is_valid_id
from gatehouse.domain.roles import RoleSet
from gatehouse.domain.users import (
    MAX_EMAIL_LENGTH,
    MAX_NAME_LENGTH,
    MAX_USERNAME_LENGTH,
    User,
    UserType,
)
from gatehouse.domain.xp import deep_merge, validate_xp

REQUIRED_ON_WRITE = ("username", "first_name", "last_name", "email", "active")
_WIRE_NAMES = {
    "username": "Username",
    "first_name": "FirstName",
    "last_name": "LastName",
    "email": "Email",
    "active": "Active",
}
_LENGTHS = {
    "username": MAX_USERNAME_LENGTH,
    "first_name": MAX_NAME_LENGTH,
    "last_name": MAX_NAME_LENGTH,
    "email": MAX_EMAIL_LENGTH,
    "phone": MAX_NAME_LENGTH,
}


@dataclass(frozen=True, slots=True)
class UserScope:
    """Admin users, or the users of one buyer or supplier (``company_id``)."""

    user_type: UserType
    company_id: str = ""

    @property
    def object_type(self) -> str:
        return {"admin": "AdminUser", "buyer": "User", "supplier": "SupplierUser"}[self.user_type]


@dataclass(frozen=True, slots=True)
class UserView:
    """A user with the roles its security profiles give it (``AvailableRoles``)."""

    user: User
    available_roles: RoleSet


def writable(user: User) -> dict[str, Any]:
    """The fields a PUT replaces, as they are now (the base of a PATCH)."""
    return {
        "id": user.id,
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "phone": user.phone,
        "active": user.active,
        "xp": user.xp,
    }


def merged(current: User, changes: dict[str, Any]) -> dict[str, Any]:
    """A PATCH: ``xp`` is deep-merged, other fields given (not ``None``) replace the current."""
    values = dict(changes)
    if "xp" in values:
        values["xp"] = deep_merge(current.xp, values["xp"])
    return {**writable(current), **{k: v for k, v in values.items() if v is not None or k == "xp"}}


def build_user(user_id: str, scope: UserScope, fields: dict[str, Any]) -> User:
    """The user ``fields`` describe, once they meet the write rules (400 otherwise)."""
    _check_fields(user_id, fields)
    known = {f.name for f in dataclasses.fields(User)}
    values = {k: v for k, v in fields.items() if k in known and k not in ("id", "user_type")}
    return User(
        id=user_id,
        user_type=scope.user_type,
        company_id=scope.company_id or None,
        **values,
    )


def _check_fields(user_id: str, fields: dict[str, Any]) -> None:
    if not is_valid_id(user_id):
        raise InvalidInputError(
            message="ID may contain only letters, digits, - and _, up to 100 characters.",
            data={"Field": "ID"},
        )
    for name in REQUIRED_ON_WRITE:
        if fields.get(name) in (None, ""):
            raise RequiredFieldError(_WIRE_NAMES[name])
    for name, limit in _LENGTHS.items():
        value = fields.get(name)
        if value is not None and len(value) > limit:
            raise InvalidInputError(
                message=f"{name} may not exceed {limit} characters.", data={"Field": name}
            )
    validate_xp(fields.get("xp"), len(json.dumps(fields.get("xp"))))
