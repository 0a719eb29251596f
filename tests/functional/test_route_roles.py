"""Every /v1 route, from the route table itself: refused without a valid token, refused
without one of its roles, allowed with any one of them, seller-only routes refused to buyer and
supplier users, and company routes refused to users of another company. A route needing only a
valid token must say so (``authenticated_only()``). New routes are covered the moment they
exist."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute

from gatehouse.app import ROUTERS
from gatehouse.domain.roles import API_ROLE_NAMES
from gatehouse.http.deps import RouteRequirement
from gatehouse.runtime import Runtime
from tests.factories.clock import AdjustableClock
from tests.factories.companies import company_user
from tests.factories.marketplaces import Marketplace
from tests.factories.tokens import token_with


@dataclass(frozen=True)
class RouteRule:
    method: str
    path: str
    roles: tuple[str, ...]
    seller_only: bool
    company_param: str | None
    token_only: bool = False

    def url(self) -> str:
        return self.path.replace("{", "").replace("}", "-x")

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def _checks(dependant: Any) -> Iterator[Any]:
    for dep in dependant.dependencies:
        if dep.call is not None:
            yield dep.call
        yield from _checks(dep)


GUARDED = ("/v1/", "/gatehouse/")


def route_rules() -> list[RouteRule]:
    rules = []
    for router in ROUTERS:
        for route in router.routes:
            if not isinstance(route, APIRoute) or not route.path.startswith(GUARDED):
                continue
            calls = list(_checks(route.dependant))
            requirement = next((c for c in calls if isinstance(c, RouteRequirement)), None)
            if requirement is None:
                # Every /v1 route must declare its roles; Gatehouse's own operational
                # endpoints may be public (health), and are checked when they declare roles.
                assert not route.path.startswith("/v1/"), f"{route.path} declares no roles"
                continue
            company = requirement.company
            for method in sorted(route.methods or ()):
                rules.append(
                    RouteRule(
                        method,
                        route.path,
                        requirement.roles,
                        requirement.seller_only,
                        company.path_param if company else None,
                        requirement.token_only,
                    )
                )
    return rules


RULES = route_rules()
ROLE_RULES = [r for r in RULES if not r.token_only]


def test_every_v1_route_declares_roles() -> None:
    """Roles, or explicitly none (``authenticated_only()``); never both, never neither."""
    assert len(ROLE_RULES) >= 20
    assert all(bool(rule.roles) != rule.token_only for rule in RULES)
    assert {str(r) for r in RULES if r.token_only} == {
        "GET /v1/me",
        "GET /v1/me/usergroups",
        "DELETE /v1/me/tokens",
    }


@pytest.mark.parametrize("rule", RULES, ids=str)
async def test_refused_without_a_valid_token(
    client: httpx.AsyncClient, marketplace: Marketplace, rule: RouteRule
) -> None:
    invalid = {"Authorization": f"Bearer {marketplace.token[:-4]}AAAA"}
    for headers in ({}, {"Authorization": "Bearer "}, invalid):
        response = await client.request(rule.method, rule.url(), headers=headers, json={})
        assert response.status_code == 401, (headers, response.text)
        assert response.json()["Errors"][0]["ErrorCode"] == "InvalidToken"


@pytest.mark.parametrize("rule", ROLE_RULES, ids=str)
async def test_refused_without_its_roles(
    client: httpx.AsyncClient, marketplace: Marketplace, runtime: Runtime, rule: RouteRule
) -> None:
    others = sorted(API_ROLE_NAMES - set(rule.roles) - {"FullAccess"})
    headers = await token_with(runtime, marketplace, others)
    response = await client.request(rule.method, rule.url(), headers=headers, json={})
    assert response.status_code == 403, response.text
    assert response.json()["Errors"][0]["ErrorCode"] == "Auth.InsufficientRoles"
    assert set(response.json()["Errors"][0]["Data"]["SufficientRoles"]) == {
        "FullAccess",
        *rule.roles,
    }


@pytest.mark.parametrize("rule", RULES, ids=str)
async def test_allowed_with_each_of_its_roles(
    client: httpx.AsyncClient,
    marketplace: Marketplace,
    runtime: Runtime,
    clock: AdjustableClock,
    rule: RouteRule,
) -> None:
    for role in (*rule.roles, "FullAccess") if rule.roles else ("FullAccess", None):
        headers = await token_with(runtime, marketplace, [role] if role else [])
        response = await client.request(rule.method, rule.url(), headers=headers, json={})
        assert response.status_code not in (401, 403), (role, response.text)
        assert response.status_code < 500, (role, response.text)
        clock.advance(timedelta(seconds=2))  # past a revocation the route may have made


@pytest.mark.parametrize("rule", [r for r in RULES if r.seller_only], ids=str)
async def test_seller_only_routes_refuse_buyers_and_suppliers(
    client: httpx.AsyncClient, marketplace: Marketplace, runtime: Runtime, rule: RouteRule
) -> None:
    for usrtype in ("buyer", "supplier"):
        internal_id, username = await company_user(runtime, marketplace, usrtype)
        headers = await token_with(
            runtime, marketplace, ["FullAccess"], usrtype=usrtype, u=str(internal_id), usr=username
        )
        response = await client.request(rule.method, rule.url(), headers=headers, json={})
        assert response.status_code == 403, response.text
        assert response.json()["Errors"][0]["ErrorCode"] == "Auth.UserNotAuthorizedToAdmin"


@pytest.mark.parametrize("rule", [r for r in RULES if r.company_param], ids=str)
async def test_company_routes_refuse_users_of_another_company(
    client: httpx.AsyncClient, marketplace: Marketplace, runtime: Runtime, rule: RouteRule
) -> None:
    kind = "buyer" if rule.company_param == "buyerID" else "supplier"
    internal_id, username = await company_user(runtime, marketplace, kind)
    headers = await token_with(
        runtime, marketplace, ["FullAccess"], usrtype=kind, u=str(internal_id), usr=username
    )
    param = "{" + str(rule.company_param) + "}"
    foreign = rule.path.replace(param, "other").replace("{", "").replace("}", "-x")
    response = await client.request(rule.method, foreign, headers=headers, json={})
    assert response.status_code == 404, response.text
    assert response.json()["Errors"][0]["Data"] == {
        "ObjectType": foreign_type(kind),
        "ObjectID": "other",
    }
    own = rule.path.replace(param, "own").replace("{", "").replace("}", "-x")
    response = await client.request(rule.method, own, headers=headers, json={})
    assert response.status_code < 500
    errors = response.json().get("Errors", []) if response.content else []
    assert all(
        e.get("Data", {}) != {"ObjectType": foreign_type(kind), "ObjectID": "own"} for e in errors
    )


def foreign_type(kind: str) -> str:
    return "Buyer" if kind == "buyer" else "Supplier"
