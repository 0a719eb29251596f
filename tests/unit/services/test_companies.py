"""``CompanyService``: one service for buyers and suppliers, bound to the clock it dates
companies with."""

from __future__ import annotations

import secrets

import pytest

from gatehouse.domain.companies import CompanyKind
from gatehouse.domain.errors import IdExistsError, NotFoundError
from gatehouse.services.registry import Services
from tests.factories.marketplaces import Marketplace
from tests.unit.services.conftest import NOW


def _id() -> str:
    return f"co-{secrets.token_hex(4)}"


@pytest.mark.parametrize("kind", list(CompanyKind))
async def test_create_dates_the_company_with_the_bound_clock(
    services: Services, marketplace: Marketplace, kind: CompanyKind
) -> None:
    created = await services.companies.create(
        marketplace.id, kind, {"id": _id(), "name": "Acme", "active": True}
    )
    assert created.kind is kind
    assert created.date_created == NOW
    found = await services.companies.get(marketplace.id, kind, created.id)
    assert found.name == "Acme"
    assert found.date_created is not None
    assert found.date_created.replace(tzinfo=None) == NOW.replace(tzinfo=None)


@pytest.mark.parametrize("kind", list(CompanyKind))
async def test_put_keeps_the_creation_date_and_a_taken_id_is_refused(
    services: Services, marketplace: Marketplace, kind: CompanyKind
) -> None:
    company_id = _id()
    await services.companies.create(marketplace.id, kind, {"id": company_id, "name": "One"})
    saved = await services.companies.replace(marketplace.id, kind, company_id, {"name": "Two"})
    assert saved.name == "Two"
    assert saved.date_created is not None
    assert saved.date_created.replace(tzinfo=None) == NOW.replace(tzinfo=None)
    with pytest.raises(IdExistsError):
        await services.companies.create(marketplace.id, kind, {"id": company_id, "name": "X"})


async def test_the_kinds_do_not_see_each_other(
    services: Services, marketplace: Marketplace
) -> None:
    company_id = _id()
    await services.companies.create(
        marketplace.id, CompanyKind.BUYER, {"id": company_id, "name": "B"}
    )
    with pytest.raises(NotFoundError):
        await services.companies.get(marketplace.id, CompanyKind.SUPPLIER, company_id)
    with pytest.raises(NotFoundError):
        await services.companies.delete(marketplace.id, CompanyKind.SUPPLIER, company_id)
    await services.companies.delete(marketplace.id, CompanyKind.BUYER, company_id)
    with pytest.raises(NotFoundError):
        await services.companies.get(marketplace.id, CompanyKind.BUYER, company_id)
