"""Order on the wire (the JS SDK's ``Order``). Totals are 0 and ``LineItemCount`` is 0: line
items, addresses, shipping and submission are not implemented; their fields are accepted in
bodies and ignored."""

from __future__ import annotations

from typing import Any

from pydantic import StrictStr

from gatehouse.domain.listing import FieldType, ListField, ListSpec
from gatehouse.domain.orders import Order
from gatehouse.domain.users import User
from gatehouse.http.schemas.common import WireModel, iso

FIELDS = {"ID": "id", "ToCompanyID": "to_company_id", "Comments": "comments", "xp": "xp"}


class OrderIn(WireModel):
    ID: StrictStr | None = None
    ToCompanyID: StrictStr | None = None
    Comments: StrictStr | None = None
    xp: Any = None

    def domain_fields(self) -> dict[str, Any]:
        return self.sent_fields(FIELDS)


def _from_user(user: User | None, marketplace_id: str) -> dict[str, Any] | None:
    if user is None:
        return None
    return {
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
        "AvailableRoles": None,
        "Locale": None,
        "DateCreated": iso(user.date_created),
        "LastActive": None,
        "PasswordLastSetDate": iso(user.password_last_set),
    }


def order_out(order: Order, *, marketplace_id: str) -> dict[str, Any]:
    user = order.from_user
    return {
        "ID": order.id,
        "FromUser": _from_user(user, marketplace_id),
        "FromCompanyID": order.from_company_id,
        "ToCompanyID": order.to_company_id,
        "FromUserID": user.id if user else None,
        "BillingAddressID": None,
        "BillingAddress": None,
        "ShippingAddressID": None,
        "Comments": order.comments,
        "LineItemCount": 0,
        "Status": order.status,
        "DateCreated": iso(order.created_at),
        "DateSubmitted": None,
        "DateApproved": None,
        "DateDeclined": None,
        "DateCanceled": None,
        "DateCompleted": None,
        "LastUpdated": iso(order.last_updated),
        "Subtotal": 0,
        "ShippingCost": 0,
        "TaxCost": 0,
        "Gratuity": 0,
        "Fees": 0,
        "PromotionDiscount": 0,
        "Currency": None,
        "Total": 0,
        "IsSubmitted": False,
        "SubscriptionID": None,
        "xp": order.xp,
    }


LIST_SPEC = ListSpec(
    object_type="Order",
    fields=(
        ListField("ID", searchable=True, sortable=True),
        ListField("FromUserID", searchable=True, sortable=True),
        ListField("FromCompanyID", searchable=True, sortable=True),
        ListField("ToCompanyID", sortable=True),
        ListField("Comments", searchable=True),
        ListField("Status", sortable=True),
        ListField("DateCreated", FieldType.DATETIME, sortable=True),
        ListField("LastUpdated", FieldType.DATETIME, sortable=True),
    ),
    xp=True,
)
