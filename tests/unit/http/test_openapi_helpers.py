"""The OpenAPI helpers on their own: links from the path layout, the ``errors`` helper."""

from __future__ import annotations

from typing import Any

import pytest

from gatehouse.http.openapi.errors import errors
from gatehouse.http.openapi.links import add_links


def _op(name: str, *statuses: str) -> dict[str, Any]:
    return {"operationId": name, "responses": {s: {"description": s} for s in statuses}}


def test_a_create_links_to_everything_under_what_it_created() -> None:
    doc: dict[str, Any] = {
        "paths": {
            "/things": {"post": _op("create", "201"), "get": _op("list", "200")},
            "/things/{thingID}": {"get": _op("get", "200"), "delete": _op("delete", "204")},
            "/things/{thingID}/parts": {"post": _op("create_part", "201")},
            "/things/{thingID}/parts/{partID}": {"get": _op("get_part", "200")},
            "/things/assignments": {"get": _op("assignments", "200")},
        }
    }
    add_links(doc)
    links = doc["paths"]["/things"]["post"]["responses"]["201"]["links"]
    assert set(links) == {"get", "delete", "create_part"}  # get_part needs a partID
    assert links["get"]["parameters"] == {"thingID": "$response.body#/ID"}
    nested = doc["paths"]["/things/{thingID}/parts"]["post"]["responses"]["201"]["links"]
    assert nested["get_part"]["parameters"] == {
        "thingID": "$request.path.thingID",
        "partID": "$response.body#/ID",
    }
    assert "links" not in doc["paths"]["/things"]["get"]["responses"]["200"]


def test_errors_are_the_ordercloud_body() -> None:
    declared = errors(404, 409)
    assert set(declared) == {404, 409}
    schema = declared[409]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/Errors"}
    with pytest.raises(ValueError, match="418"):
        errors(418)
