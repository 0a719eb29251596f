"""ApiClientSecret and ApiClientSecretCreateResponse on the wire (spec §1.2). The value
(``ClientSecret``) appears only in the create response."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from pydantic import StrictStr

from gatehouse.domain.api_client_secrets import ApiClientSecret
from gatehouse.domain.listing import FieldType, ListField, ListSpec
from gatehouse.http.schemas.common import WireModel, iso
from gatehouse.services.api_client_secrets import CreatedSecret

FIELDS = {"ID": "id", "Name": "name", "Expiration": "expiration"}


class ApiClientSecretIn(WireModel):
    """POST and PATCH body; a ``ClientSecret`` sent by the caller is ignored (server-made).
    Required fields are checked by the service so PATCH can share this model."""

    REQUIRED: ClassVar[tuple[str, ...]] = ("Name",)

    ID: StrictStr | None = None
    Name: StrictStr | None = None
    Expiration: datetime | None = None

    def domain_fields(self) -> dict[str, Any]:
        return self.sent_fields(FIELDS)


def secret_out(secret: ApiClientSecret) -> dict[str, Any]:
    return {"ID": secret.id, "Name": secret.name, "Expiration": iso(secret.expiration)}


def created_out(created: CreatedSecret) -> dict[str, Any]:
    return {**secret_out(created.secret), "ClientSecret": created.value}


LIST_SPEC = ListSpec(
    object_type="ApiClientSecret",
    fields=(
        ListField("ID", searchable=True, sortable=True),
        ListField("Name"),
        ListField("Expiration", FieldType.DATETIME),
    ),
)
