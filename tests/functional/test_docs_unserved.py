"""docs/behaviour.md lists the routes Gatehouse does not serve: each must really be absent
(404 ``NotFound`` ``Route`` through HTTP), and no line calls a served route unserved."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
from fastapi import FastAPI
from starlette.routing import Match

from tests.factories.marketplaces import Marketplace

DOC = Path(__file__).resolve().parents[2] / "docs" / "behaviour.md"
ROUTE = re.compile(r"`(?:(GET|POST|PUT|PATCH|DELETE) )?(/v1/[^`\s]*)`")


def unserved_section() -> list[tuple[str, str]]:
    text = DOC.read_text(encoding="utf-8")
    section = text.split("\n## Not served\n", 1)[1].split("\n## ", 1)[0]
    return [(method or "GET", path) for method, path in ROUTE.findall(section)]


def lines_calling_routes_unserved() -> list[tuple[str, str]]:
    """Backticked routes on any line that says "not served" or "not yet"."""
    found = []
    for line in DOC.read_text(encoding="utf-8").splitlines():
        lowered = line.lower()
        if "not served" in lowered or "not yet" in lowered:
            found += [(method or "GET", path) for method, path in ROUTE.findall(line)]
    return found


def served(app: FastAPI, method: str, path: str) -> bool:
    scope = {"type": "http", "method": method, "path": path, "root_path": ""}
    return any(route.matches(scope)[0] is Match.FULL for route in app.router.routes)


def test_the_section_lists_routes() -> None:
    assert len(unserved_section()) >= 10


def test_no_served_route_is_called_unserved(app: FastAPI) -> None:
    wrong = [
        (m, p)
        for m, p in [*unserved_section(), *lines_calling_routes_unserved()]
        if served(app, m, p)
    ]
    assert wrong == []
    # The check can fail: a route Gatehouse serves is recognised.
    assert served(app, "PUT", "/v1/me/register")
    assert served(app, "GET", "/v1/me/orders/Outgoing") or served(app, "GET", "/v1/me/orders")


async def test_unserved_routes_answer_404_route(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    for method, path in unserved_section():
        response = await client.request(method, path, headers=marketplace.auth)
        assert response.status_code == 404, (method, path, response.text)
        error = response.json()["Errors"][0]
        assert error["ErrorCode"] == "NotFound"
        assert error["Data"]["ObjectType"] == "Route"
