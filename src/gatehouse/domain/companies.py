"""Buyers and suppliers (the marketplace's companies): their fields, validation rules and
which of them a caller may see (spec §2.5, §5.4). Pure rules; no SQL, no HTTP.

Choices (see ``docs/behaviour.md``, "Buyers and suppliers"):

- ``Active`` defaults to false when not sent, as .NET's ``bool`` default does in OrderCloud.
- An ``ID`` in a PUT or PATCH body that differs from the path is refused: a company's ID is
  copied into its users, groups and assignments, so a rename would have to rewrite them all.
- A seller sees every company; a buyer (supplier) user sees only their own buyer (supplier)
  and no company of the other kind, as OrderCloud's "Me" model scopes what users see.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from gatehouse.domain.errors import InvalidInputError, RequiredFieldError
from gatehouse.domain.ids import MAX_ID_LENGTH, is_valid_id
from gatehouse.domain.users import UserType
from gatehouse.domain.xp import deep_merge, validate_xp

MAX_NAME_LENGTH = 100


class CompanyKind(StrEnum):
    """Values equal the ``UserType`` of the company's users (``buyer``, ``supplier``)."""

    BUYER = "buyer"
    SUPPLIER = "supplier"

    @property
    def object_type(self) -> str:
        """The ``ObjectType`` OrderCloud names in ``NotFound``/``IdExists`` data."""
        return "Buyer" if self is CompanyKind.BUYER else "Supplier"

    @property
    def user_type(self) -> UserType:
        return UserType(self.value)


@dataclass(frozen=True, slots=True)
class Company:
    """A buyer or a supplier. ``default_catalog_id`` is a buyer's field and
    ``all_buyers_can_order`` a supplier's; the other kind leaves its default."""

    kind: CompanyKind
    id: str
    name: str
    active: bool = False
    xp: Any = None
    default_catalog_id: str | None = None
    all_buyers_can_order: bool = False
    date_created: datetime | None = None


def build_company(
    kind: CompanyKind,
    company_id: str,
    fields: Mapping[str, Any],
    *,
    date_created: datetime | None = None,
) -> Company:
    """A company from a complete set of writable fields (POST, PUT, or PATCH once merged).

    Omitted fields take their defaults, so PUT replaces the whole object (spec §2.5).
    """
    _check_id(company_id, "ID")
    name = _checked_name(fields.get("name"))
    catalog = fields.get("default_catalog_id") or None
    if catalog is not None:
        _check_id(catalog, "DefaultCatalogID")
    xp = fields.get("xp")
    validate_xp(xp, len(json.dumps(xp)))
    return Company(
        kind=kind,
        id=company_id,
        name=name,
        active=bool(fields.get("active")),
        xp=xp,
        default_catalog_id=catalog if kind is CompanyKind.BUYER else None,
        all_buyers_can_order=kind is CompanyKind.SUPPLIER
        and bool(fields.get("all_buyers_can_order")),
        date_created=date_created,
    )


def merge_patch(current: Company, changes: Mapping[str, Any]) -> dict[str, Any]:
    """The writable fields after a PATCH: sent fields replace, ``xp`` deep-merges, and an
    explicit null leaves a field unchanged (except ``xp``, where null clears it)."""
    values = writable_fields(current)
    for key, value in changes.items():
        if key == "xp":
            values["xp"] = deep_merge(current.xp, value)
        elif value is not None and key in values:
            values[key] = value
    return values


def writable_fields(company: Company) -> dict[str, Any]:
    return {
        "name": company.name,
        "active": company.active,
        "xp": company.xp,
        "default_catalog_id": company.default_catalog_id,
        "all_buyers_can_order": company.all_buyers_can_order,
    }


def check_same_id(path_id: str, body_id: str | None) -> None:
    """Refuse a rename through PUT/PATCH: the ID is copied into the company's users, groups
    and assignments, and rewriting them all is not worth the risk of a half-renamed company."""
    if body_id is not None and body_id != path_id:
        raise InvalidInputError(
            message="A buyer's or supplier's ID cannot be changed.", data={"Field": "ID"}
        )


def visible_ids(
    kind: CompanyKind, caller_type: UserType, caller_company: str | None
) -> frozenset[str] | None:
    """Which companies of ``kind`` a caller may list: ``None`` means all (sellers); a buyer or
    supplier user sees only their own company of their own kind, and none of the other kind."""
    if caller_type is UserType.ADMIN:
        return None
    if caller_type is kind.user_type and caller_company:
        return frozenset({caller_company})
    return frozenset()


def _checked_name(name: str | None) -> str:
    if name is None or not name.strip():
        raise RequiredFieldError("Name")
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidInputError(
            message=f"Name may not exceed {MAX_NAME_LENGTH} characters.", data={"Field": "Name"}
        )
    return name


def _check_id(value: str, field: str) -> None:
    if not is_valid_id(value):
        raise InvalidInputError(
            message=f"{field} may contain only letters, digits, - and _, "
            f"up to {MAX_ID_LENGTH} characters.",
            data={"Field": field},
        )
