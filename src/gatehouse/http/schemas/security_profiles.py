"""SecurityProfile and SecurityProfileAssignment on the wire (spec §5.1, §5.2)."""

from __future__ import annotations

from typing import Any

from pydantic import StrictStr

from gatehouse.domain.listing import ListField, ListSpec
from gatehouse.domain.security_profiles import ProfileAssignment, SecurityProfile
from gatehouse.http.schemas.common import WireModel

FIELDS = {
    "ID": "id",
    "Name": "name",
    "Roles": "roles",
    "CustomRoles": "custom_roles",
    "PasswordConfig": "password_config",
}


class SecurityProfileIn(WireModel):
    REQUIRED = ("Name",)
    ID: StrictStr | None = None
    Name: StrictStr | None = None
    Roles: list[StrictStr] | None = None
    CustomRoles: list[StrictStr] | None = None
    PasswordConfig: dict[str, Any] | None = None

    def domain_fields(self) -> dict[str, Any]:
        return self.sent_fields(FIELDS)


def profile_out(profile: SecurityProfile) -> dict[str, Any]:
    return {
        "ID": profile.id,
        "Name": profile.name,
        "Roles": profile.roles,
        "CustomRoles": profile.custom_roles,
        "PasswordConfig": profile.password_config,
        "IsExternalRoleGroup": False,
    }


class SecurityProfileAssignmentIn(WireModel):
    SecurityProfileID: StrictStr
    BuyerID: StrictStr | None = None
    SupplierID: StrictStr | None = None
    UserID: StrictStr | None = None
    UserGroupID: StrictStr | None = None

    def domain(self) -> ProfileAssignment:
        return ProfileAssignment(
            security_profile_id=self.SecurityProfileID,
            buyer_id=self.BuyerID or None,
            supplier_id=self.SupplierID or None,
            user_id=self.UserID or None,
            user_group_id=self.UserGroupID or None,
        )


def assignment_out(assignment: ProfileAssignment) -> dict[str, Any]:
    return {
        "SecurityProfileID": assignment.security_profile_id,
        "BuyerID": assignment.buyer_id,
        "SupplierID": assignment.supplier_id,
        "UserID": assignment.user_id,
        "UserGroupID": assignment.user_group_id,
    }


LIST_SPEC = ListSpec(
    object_type="SecurityProfile",
    fields=(
        ListField("ID", searchable=True, sortable=True),
        ListField("Name", searchable=True, sortable=True),
    ),
)
