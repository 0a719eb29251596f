"""Deeply nested JSON bodies get 400 ``ValidationFailure``, never a 500 or a dropped
connection (issue 10, item 3): the nesting is bounded before any parser or validator recurses."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from gatehouse.settings import DEFAULT_MAX_JSON_DEPTH
from tests.factories.marketplaces import Marketplace

pytestmark = pytest.mark.asyncio


def nested(shape: list[bool], leaf: Any = 1) -> str:
    """A JSON text nested ``len(shape)`` levels: True opens an object, False a list."""
    opening = "".join('{"a":' if is_object else "[" for is_object in shape)
    closing = "".join("}" if is_object else "]" for is_object in reversed(shape))
    return f"{opening}{leaf}{closing}"


NAMES = '"FirstName":"Ada","LastName":"Lovelace","Email":"ada@example.com",'
"""The bootstrap admin has no names yet, and a PATCH must leave a complete user."""


def code(response: httpx.Response) -> str:
    value: str = response.json()["Errors"][0]["ErrorCode"]
    return value


async def test_xp_nested_400_levels(client: httpx.AsyncClient, marketplace: Marketplace) -> None:
    body = '{"xp":' + nested([True] * 400) + "}"
    response = await client.patch(
        "/v1/me",
        content=body.encode(),
        headers={**marketplace.auth, "Content-Type": "application/json"},
    )
    assert response.status_code == 400, response.text
    assert code(response) == "ValidationFailure"
    assert response.json()["Errors"][0]["Data"] == {"MaxDepth": DEFAULT_MAX_JSON_DEPTH}


async def test_nesting_within_the_limit_is_stored(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    xp = nested([True] * (DEFAULT_MAX_JSON_DEPTH - 2))
    response = await client.patch(
        "/v1/me",
        content=("{" + NAMES + '"xp":' + xp + "}").encode(),
        headers={**marketplace.auth, "Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/v1/apiclients"),
        ("PUT", "/v1/me"),
        ("POST", "/v1/buyers"),
        ("POST", "/v1/securityprofiles"),
    ],
)
async def test_deep_bodies_everywhere(
    client: httpx.AsyncClient, marketplace: Marketplace, method: str, path: str
) -> None:
    """Without a content type too: FastAPI then still parses the body as JSON."""
    for headers in ({"Content-Type": "application/json"}, {}):
        response = await client.request(
            method,
            path,
            content=nested([False] * 5000).encode(),
            headers={**marketplace.auth, **headers},
        )
        assert response.status_code == 400, (path, response.text)
        assert code(response) == "ValidationFailure"


async def test_brackets_inside_strings_do_not_count(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    text = '[{"\\"' * 500
    response = await client.patch(
        "/v1/me",
        content=("{" + NAMES + '"xp":' + json.dumps({"note": text}) + "}").encode(),
        headers={**marketplace.auth, "Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["xp"]["note"] == text


@hsettings(
    max_examples=40,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    shape=st.lists(st.booleans(), min_size=1, max_size=1200),
    leaf=st.sampled_from(["1", '"x"', "null", "[]", "{}", '"\\u0000"', '"]]]}}}"']),
)
async def test_fuzzed_nesting_never_gives_a_5xx(
    client: httpx.AsyncClient, marketplace: Marketplace, shape: list[bool], leaf: str
) -> None:
    body = "{" + NAMES + '"xp":' + nested([True, *shape], leaf) + "}"  # xp is an object
    response = await client.patch(
        "/v1/me",
        content=body.encode(),
        headers={**marketplace.auth, "Content-Type": "application/json"},
    )
    assert response.status_code < 500, response.text
    depth = len(shape) + 2 + (1 if leaf in ("[]", "{}") else 0)
    if depth > DEFAULT_MAX_JSON_DEPTH:
        assert response.status_code == 400
        assert code(response) == "ValidationFailure"
    elif leaf != '"\\u0000"':
        assert response.status_code == 200, response.text
