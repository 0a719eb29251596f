"""ImpersonationConfig, ImpersonateTokenRequest and AccessToken on the wire (spec §3.10;
JS12 ``models/ImpersonationConfig.d.ts``, ``ImpersonateTokenRequest.d.ts``)."""

from __future__ import annotations

from typing import Any

from pydantic import StrictStr

from gatehouse.domain.impersonation import PARTY_FIELDS, ImpersonationConfig
from gatehouse.domain.listing import ListField, ListSpec
from gatehouse.http.schemas.common import WireModel

FIELDS = {
    "ID": "id",
    "Name": "name",
    "SecurityProfileID": "security_profile_id",
    "ClientID": "client_id",
    **{wire: name for name, wire in PARTY_FIELDS},
}


class ImpersonationConfigIn(WireModel):
    REQUIRED = ("SecurityProfileID", "ClientID")
    ID: StrictStr | None = None
    Name: StrictStr | None = None
    ImpersonationBuyerID: StrictStr | None = None
    ImpersonationGroupID: StrictStr | None = None
    ImpersonationUserID: StrictStr | None = None
    BuyerID: StrictStr | None = None
    GroupID: StrictStr | None = None
    UserID: StrictStr | None = None
    SecurityProfileID: StrictStr | None = None
    ClientID: StrictStr | None = None

    def domain_fields(self) -> dict[str, Any]:
        return self.sent_fields(FIELDS)


def config_out(config: ImpersonationConfig) -> dict[str, Any]:
    return {
        "ID": config.id,
        "Name": config.name,
        **{wire: getattr(config, name) for name, wire in PARTY_FIELDS},
        "SecurityProfileID": config.security_profile_id,
        "ClientID": config.client_id,
    }


class ImpersonateTokenRequestIn(WireModel):
    """Required fields are checked by the domain, so a missing field and a null one get the
    same ``RequiredField`` answer."""

    REQUIRED = ("ClientID", "Roles")

    ClientID: StrictStr | None = None
    Roles: list[StrictStr] | None = None
    CustomRoles: list[StrictStr] | None = None


LIST_SPEC = ListSpec(
    object_type="ImpersonationConfig",
    fields=(
        ListField("ID", searchable=True, sortable=True),
        ListField("Name", searchable=True, sortable=True),
        ListField("ImpersonationBuyerID", sortable=True),
        ListField("ImpersonationGroupID", sortable=True),
        ListField("ImpersonationUserID", sortable=True),
        ListField("BuyerID", sortable=True),
        ListField("GroupID", sortable=True),
        ListField("UserID", sortable=True),
        ListField("SecurityProfileID", searchable=True, sortable=True),
        ListField("ClientID", searchable=True, sortable=True),
    ),
)
