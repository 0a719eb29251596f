"""The two company kinds, buyer and supplier, as one test parameter: the routes, services and
rules are shared, so most of their tests are written once and run for both."""

from __future__ import annotations

from dataclasses import dataclass

import pytest


@dataclass(frozen=True)
class CompanyKind:
    name: str
    """``buyer`` or ``supplier``: the user type and the helpers' ``kind`` argument."""
    collection: str
    """The path segment: ``/v1/buyers`` or ``/v1/suppliers``."""
    object_type: str
    """``ObjectType`` in 404s about the company."""
    party: str
    """The field naming the company in assignments: ``BuyerID`` or ``SupplierID``."""
    reader: str
    admin: str
    user_reader: str
    user_admin: str
    user_object_type: str
    """``ObjectType`` of the kind's users in errors (``User`` for buyers, as OrderCloud)."""

    @property
    def path(self) -> str:
        return f"/v1/{self.collection}"

    @property
    def other(self) -> CompanyKind:
        return SUPPLIER if self is BUYER else BUYER


BUYER = CompanyKind(
    "buyer",
    "buyers",
    "Buyer",
    "BuyerID",
    "BuyerReader",
    "BuyerAdmin",
    "BuyerUserReader",
    "BuyerUserAdmin",
    "User",
)
SUPPLIER = CompanyKind(
    "supplier",
    "suppliers",
    "Supplier",
    "SupplierID",
    "SupplierReader",
    "SupplierAdmin",
    "SupplierUserReader",
    "SupplierUserAdmin",
    "SupplierUser",
)
EACH_KIND = pytest.mark.parametrize("kind", [BUYER, SUPPLIER], ids=["buyer", "supplier"])
"""Run a test once per company kind (it takes a ``kind: CompanyKind`` argument)."""
