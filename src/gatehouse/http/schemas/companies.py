"""Buyer and Supplier on the wire (the JS SDK's ``Buyer`` and ``Supplier`` models).
``DateCreated`` is read-only: sent in a body, it is ignored like any unknown property."""

from __future__ import annotations

from typing import Any

from pydantic import StrictBool, StrictStr

from gatehouse.domain.companies import Company
from gatehouse.domain.listing import FieldType, ListField, ListSpec
from gatehouse.http.schemas.common import WireModel, iso

BUYER_FIELDS: dict[str, str] = {
    "ID": "id",
    "Name": "name",
    "DefaultCatalogID": "default_catalog_id",
    "Active": "active",
    "xp": "xp",
}
SUPPLIER_FIELDS: dict[str, str] = {
    "ID": "id",
    "Name": "name",
    "Active": "active",
    "AllBuyersCanOrder": "all_buyers_can_order",
    "xp": "xp",
}


class BuyerIn(WireModel):
    REQUIRED = ("Name",)
    ID: StrictStr | None = None
    Name: StrictStr | None = None
    DefaultCatalogID: StrictStr | None = None
    Active: StrictBool | None = None
    xp: Any = None

    def domain_fields(self) -> dict[str, Any]:
        return self.sent_fields(BUYER_FIELDS)


class SupplierIn(WireModel):
    REQUIRED = ("Name",)
    ID: StrictStr | None = None
    Name: StrictStr | None = None
    Active: StrictBool | None = None
    AllBuyersCanOrder: StrictBool | None = None
    xp: Any = None

    def domain_fields(self) -> dict[str, Any]:
        return self.sent_fields(SUPPLIER_FIELDS)


def buyer_out(company: Company) -> dict[str, Any]:
    return {
        "ID": company.id,
        "Name": company.name,
        "DefaultCatalogID": company.default_catalog_id,
        "Active": company.active,
        "DateCreated": iso(company.date_created),
        "xp": company.xp,
    }


def supplier_out(company: Company) -> dict[str, Any]:
    return {
        "ID": company.id,
        "Name": company.name,
        "Active": company.active,
        "DateCreated": iso(company.date_created),
        "AllBuyersCanOrder": company.all_buyers_can_order,
        "xp": company.xp,
    }


BUYER_LIST_SPEC = ListSpec(
    object_type="Buyer",
    fields=(
        ListField("ID", searchable=True, sortable=True),
        ListField("Name", searchable=True, sortable=True),
        ListField("DefaultCatalogID"),
        ListField("Active", FieldType.BOOLEAN),
        ListField("DateCreated", FieldType.DATETIME, sortable=True),
    ),
    xp=True,
)

SUPPLIER_LIST_SPEC = ListSpec(
    object_type="Supplier",
    fields=(
        ListField("ID", searchable=True, sortable=True),
        ListField("Name", searchable=True, sortable=True),
        ListField("Active", FieldType.BOOLEAN),
        ListField("DateCreated", FieldType.DATETIME, sortable=True),
        ListField("AllBuyersCanOrder", FieldType.BOOLEAN),
    ),
    xp=True,
)
