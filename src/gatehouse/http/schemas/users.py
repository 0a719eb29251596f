"""User, AdminUser and SupplierUser on the wire. ``Password`` is write-only;
``FailedLoginAttempts`` (the SDK's ``User`` model, shared by all three) is read-only."""

from __future__ import annotations

from typing import Any

from pydantic import StrictBool, StrictStr

from gatehouse.domain.listing import FieldType, ListField, ListSpec
from gatehouse.domain.users import UserType
from gatehouse.http.schemas.common import WireModel, iso
from gatehouse.services.me import Me
from gatehouse.services.users import UserView

FIELDS: dict[str, str] = {
    "ID": "id",
    "Username": "username",
    "Password": "password",
    "FirstName": "first_name",
    "LastName": "last_name",
    "Email": "email",
    "Phone": "phone",
    "Active": "active",
    "xp": "xp",
}


class UserIn(WireModel):
    REQUIRED = ("Username", "FirstName", "LastName", "Email", "Active")
    ID: StrictStr | None = None
    Username: StrictStr | None = None
    Password: StrictStr | None = None
    FirstName: StrictStr | None = None
    LastName: StrictStr | None = None
    Email: StrictStr | None = None
    Phone: StrictStr | None = None
    TermsAccepted: StrictStr | None = None
    Active: StrictBool | None = None
    xp: Any = None

    def domain_fields(self) -> dict[str, Any]:
        return self.sent_fields(FIELDS)


def user_out(view: UserView, *, marketplace_id: str) -> dict[str, Any]:
    user = view.user
    return {
        "FailedLoginAttempts": user.failed_login_attempts,
        "ID": user.id,
        "CompanyID": user.company_id or marketplace_id,
        "Username": user.username,
        "Password": None,
        "FirstName": user.first_name,
        "LastName": user.last_name,
        "Email": user.email,
        "Phone": user.phone,
        "TermsAccepted": None,
        "Active": user.active,
        "xp": user.xp,
        "AvailableRoles": sorted(view.available_roles.all),
        "Locale": None,
        "DateCreated": iso(user.date_created),
        "LastActive": None,
        "PasswordLastSetDate": iso(user.password_last_set),
    }


LIST_SPEC = ListSpec(
    object_type="User",
    fields=(
        ListField("ID", searchable=True, sortable=True),
        ListField("Username", searchable=True, sortable=True),
        ListField("FirstName", searchable=True, sortable=True),
        ListField("LastName", searchable=True, sortable=True),
        ListField("Email", searchable=True, sortable=True),
        ListField("Phone"),
        ListField("Active", FieldType.BOOLEAN),
        ListField("DateCreated", FieldType.DATETIME, sortable=True),
        ListField("PasswordLastSetDate", FieldType.DATETIME, sortable=True),
    ),
    xp=True,
)


class PasswordResetIn(WireModel):
    """``TokenPasswordReset``: the body of ``POST /v1/me/password``."""

    REQUIRED = ("NewPassword",)

    NewPassword: StrictStr | None = None


def me_out(me: Me, *, marketplace_id: str) -> dict[str, Any]:
    """``MeUser``: the user as ``user_out`` plus the caller's company by user type."""
    user = me.view.user
    company = user.company_id
    return {
        "Buyer": {"ID": company, "DefaultCatalogID": me.default_catalog_id}
        if user.user_type is UserType.BUYER
        else None,
        "Supplier": {"ID": company} if user.user_type is UserType.SUPPLIER else None,
        "Seller": {"ID": marketplace_id} if user.user_type is UserType.ADMIN else None,
        **user_out(me.view, marketplace_id=marketplace_id),
    }
