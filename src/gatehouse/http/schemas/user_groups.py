"""UserGroup and UserGroupAssignment on the wire (the same shape for the seller's, buyers'
and suppliers' groups)."""

from __future__ import annotations

from typing import Any

from pydantic import StrictStr

from gatehouse.domain.listing import ListField, ListSpec
from gatehouse.domain.user_groups import UserGroup
from gatehouse.http.schemas.common import WireModel

FIELDS = {"ID": "id", "Name": "name", "Description": "description", "xp": "xp"}


class UserGroupIn(WireModel):
    REQUIRED = ("Name",)
    ID: StrictStr | None = None
    Name: StrictStr | None = None
    Description: StrictStr | None = None
    xp: Any = None

    def domain_fields(self) -> dict[str, Any]:
        return self.sent_fields(FIELDS)


def group_out(group: UserGroup) -> dict[str, Any]:
    return {"ID": group.id, "Name": group.name, "Description": group.description, "xp": group.xp}


class UserGroupAssignmentIn(WireModel):
    """Both fields are required; a missing one is ``RequiredField`` from the service, so an
    empty string and an absent field get the same answer."""

    REQUIRED = ("UserGroupID", "UserID")

    UserGroupID: StrictStr | None = None
    UserID: StrictStr | None = None


def assignment_out(group_id: str, user_id: str) -> dict[str, Any]:
    return {"UserGroupID": group_id, "UserID": user_id}


LIST_SPEC = ListSpec(
    object_type="UserGroup",
    fields=(
        ListField("ID", searchable=True, sortable=True),
        ListField("Name", searchable=True, sortable=True),
        ListField("Description", searchable=True),
    ),
    xp=True,
)
