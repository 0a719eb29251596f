"""``DirectRoute`` resolves a simple dependency tree as FastAPI would (same calls, order and
per-request caching), and leaves anything else to FastAPI's own handler."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

import httpx
import pytest
from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from gatehouse.http.direct import DirectRoute, plan
from gatehouse.http.routers import admin_users, api_clients, company_users


def _route(router_routes: Sequence[object], path: str, method: str) -> APIRoute:
    [found] = [
        r
        for r in router_routes
        if isinstance(r, APIRoute) and r.path == path and method in (r.methods or ())
    ]
    return found


@pytest.mark.parametrize(
    ("routes", "path"),
    [
        (api_clients.router.routes, "/v1/apiclients"),
        (admin_users.router.routes, "/v1/adminusers"),
        (company_users.router.routes, "/v1/buyers/{buyerID}/users"),
        (company_users.router.routes, "/v1/suppliers/{supplierID}/users"),
    ],
)
def test_the_list_routes_are_served_by_their_plan(routes: list[object], path: str) -> None:
    route = _route(routes, path, "GET")
    assert isinstance(route, DirectRoute)
    assert plan(route.dependant) is not None
    assert route.response_model is not None  # still documented with its model


CALLS: list[str] = []
"""What the test app's dependencies were called with, in order (reset by ``_app``)."""


async def runtime(request: Request) -> str:
    CALLS.append("runtime")
    return str(request.url.path)


async def caller(rt: Annotated[str, Depends(runtime)]) -> str:
    CALLS.append("caller")
    return f"caller@{rt}"


async def guard(who: Annotated[str, Depends(caller)]) -> None:
    CALLS.append(f"guard:{who}")


async def company(buyerID: str) -> str:  # noqa: N803 (the path parameter's name)
    CALLS.append(f"company:{buyerID}")
    return buyerID


async def listing(
    who: Annotated[str, Depends(caller)], buyer: Annotated[str, Depends(company)]
) -> JSONResponse:
    CALLS.append("endpoint")
    return JSONResponse({"who": who, "buyer": buyer})


def sync_dependency() -> str:
    return "sync"


async def with_query(q: str, s: Annotated[str, Depends(sync_dependency)]) -> JSONResponse:
    return JSONResponse({"q": q, "s": s})


def _app() -> FastAPI:
    CALLS.clear()
    app = FastAPI()
    for route_class in (DirectRoute, APIRoute):
        prefix = "/direct" if route_class is DirectRoute else "/fastapi"
        app.router.add_api_route(
            prefix + "/b/{buyerID}",
            listing,
            dependencies=[Depends(guard)],
            route_class_override=route_class,
        )
    app.router.add_api_route("/query", with_query, route_class_override=DirectRoute)
    return app


async def _get(app: FastAPI, path: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        return await http.get(path)


@pytest.mark.asyncio
async def test_same_calls_in_the_same_order_as_fastapi() -> None:
    app = _app()
    expected = await _get(app, "/fastapi/b/b1")
    fastapi = list(CALLS)
    CALLS.clear()
    answered = await _get(app, "/direct/b/b1")
    direct = list(CALLS)
    assert answered.status_code == expected.status_code == 200
    assert answered.json() == {"who": "caller@/direct/b/b1", "buyer": "b1"}
    assert direct == [step.replace("fastapi", "direct") for step in fastapi]
    assert direct.count("caller") == 1  # shared by the guard and the endpoint: once


@pytest.mark.asyncio
async def test_a_tree_it_cannot_plan_is_left_to_fastapi() -> None:
    app = _app()
    route = _route(app.router.routes, "/query", "GET")
    assert plan(route.dependant) is None  # a query parameter and a sync dependency
    assert (await _get(app, "/query?q=x")).json() == {"q": "x", "s": "sync"}
    assert (await _get(app, "/query")).status_code == 422  # FastAPI's validation still runs


async def no_guard() -> None:
    CALLS.append("overridden")


@pytest.mark.asyncio
async def test_dependency_overrides_are_honoured() -> None:
    app = _app()
    app.dependency_overrides[guard] = no_guard
    assert (await _get(app, "/direct/b/b2")).status_code == 200
    assert "overridden" in CALLS
    assert not any(step.startswith("guard") for step in CALLS)
