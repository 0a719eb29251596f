"""The published OpenAPI document, checked against the route table itself: every route is in
it, with a real 2xx schema, its error responses (OrderCloud's ``Errors``, never FastAPI's 422)
and the bearer scheme exactly where a token is required. New routes are covered the moment
they exist. The fuzzing contract test (``tests/contract``) checks the same document against
what the server really answers."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute

from gatehouse.http.openapi.document import api_routes, requirements
from tests.factories.marketplaces import Marketplace

ERROR_SCHEMAS = ("#/components/schemas/Errors", "#/components/schemas/OAuthErrors")
# The console's page and static files, and the docs page: browser assets, not API.
NOT_API = {
    "/gatehouse/console",
    "/gatehouse/console/",
    "/gatehouse/console/{asset}",
    "/gatehouse/docs",
    "/gatehouse/docs/{asset}",
}
# Successes without a body: RFC 7009's revocation (200) and the SSO redirects (302).
NO_BODY = {"/oauth/revoke", "/ocrplogin", "/ocrpcode"}
# Errors whose body is not ``Errors``: readiness answers its own report with its 503, the
# SSO sign-in its HTML page with 429.
OWN_ERROR_BODY = {("/gatehouse/health/ready", "503"), ("/ocrplogin", "429")}
# Client credentials in the form or as Basic auth (introspection also takes a bearer).
CLIENT_AUTH: dict[str, list[dict[str, list[str]]]] = {
    "/oauth/revoke": [{}, {"clientBasic": []}],
    "/oauth/introspect": [{"clientBasic": []}, {"bearer": []}, {}],
}


@pytest.fixture(scope="module")
def doc(app: FastAPI) -> dict[str, Any]:
    return app.openapi()


def _ops(app: FastAPI) -> list[tuple[APIRoute, str]]:
    return [
        (r, m.lower())
        for r in api_routes(app)
        if r.path_format not in NOT_API
        for m in sorted(r.methods or ())
    ]


def test_only_browser_assets_are_left_out(app: FastAPI) -> None:
    left_out = {r.path_format for r in api_routes(app) if not r.include_in_schema}
    assert left_out == NOT_API


def _resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _refs(schema: dict[str, Any]) -> set[str]:
    found = {schema["$ref"]} if "$ref" in schema else set()
    for option in schema.get("anyOf", []):
        found |= _refs(option)
    return found


async def test_it_is_served_as_openapi_3_1(client: httpx.AsyncClient) -> None:
    response = await client.get("/gatehouse/openapi.json")
    assert response.status_code == 200
    assert response.json()["openapi"] == "3.1.0"
    assert "bearer" in response.json()["components"]["securitySchemes"]


def test_every_route_is_documented(app: FastAPI, doc: dict[str, Any]) -> None:
    ops = _ops(app)
    assert len(ops) >= 120
    for route, method in ops:
        assert route.include_in_schema, route.path_format
        assert method in doc["paths"][route.path_format], (method, route.path_format)


def test_every_success_has_a_schema(app: FastAPI, doc: dict[str, Any]) -> None:
    for route, method in _ops(app):
        responses = doc["paths"][route.path_format][method]["responses"]
        success = [status for status in responses if status[0] in "23"]
        assert success == [str(route.status_code or 200)], (route.path_format, success)
        if route.status_code == 204 or route.path_format in NO_BODY:
            assert "content" not in responses[success[0]], route.path_format
            continue
        (media,) = responses[success[0]]["content"].values()
        schema = _resolve(doc, media["schema"])
        assert schema.get("properties") or schema.get("type") == "string", route.path_format


def test_every_error_is_documented_with_the_errors_body(app: FastAPI, doc: dict[str, Any]) -> None:
    assert "HTTPValidationError" not in doc["components"]["schemas"]
    for route, method in _ops(app):
        responses = doc["paths"][route.path_format][method]["responses"]
        assert "422" not in responses, route.path_format
        errors = {status for status in responses if status[0] in "45"}
        assert {"400", "413"} <= errors, route.path_format  # the middleware's, on every route
        wanted = {"401", "429"} if route.path_format.startswith("/v1/") else {"401"}
        if "bearer" in requirements(route):
            assert wanted <= errors, route.path_format
        if route.param_convertors:
            assert "404" in errors, route.path_format
        for status in errors - {s for p, s in OWN_ERROR_BODY if p == route.path_format}:
            schema = responses[status]["content"]["application/json"]["schema"]
            assert _refs(schema) and _refs(schema) <= set(ERROR_SCHEMAS), (
                route.path_format,
                status,
            )


def test_security_is_on_protected_operations_only(app: FastAPI, doc: dict[str, Any]) -> None:
    protected = 0
    for route, method in _ops(app):
        security = doc["paths"][route.path_format][method]["security"]
        if "bearer" in requirements(route):
            protected += 1
            assert security == [{"bearer": []}], route.path_format
        elif route.path_format in CLIENT_AUTH:
            assert security == CLIENT_AUTH[route.path_format]
        elif route.path_format.endswith("metrics"):
            assert security == [{}, {"metricsToken": []}]
        else:
            assert security == [], route.path_format
    assert protected >= 100


async def test_public_operations_answer_without_a_token(
    app: FastAPI, doc: dict[str, Any], client: httpx.AsyncClient
) -> None:
    """What the document calls public is: no 401 without credentials."""
    for route, method in _ops(app):
        if doc["paths"][route.path_format][method]["security"] == [] and method == "get":
            url = route.path_format.replace("{kid}", "no-such-kid")
            assert (await client.get(url)).status_code != 401, url


def test_the_token_endpoint_has_its_form_and_both_error_shapes(doc: dict[str, Any]) -> None:
    token = doc["paths"]["/oauth/token"]["post"]
    form = token["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]
    assert form["required"] == ["grant_type"]
    assert set(form["properties"]["grant_type"]["enum"]) >= {"password", "client_credentials"}
    assert {"client_id", "client_secret", "username", "password", "scope"} <= set(
        form["properties"]
    )
    responses = token["responses"]
    assert _refs(responses["400"]["content"]["application/json"]["schema"]) == set(ERROR_SCHEMAS)
    assert _refs(responses["401"]["content"]["application/json"]["schema"]) == {ERROR_SCHEMAS[1]}
    oauth = doc["components"]["schemas"]["OAuthErrors"]
    assert set(oauth["required"]) == {"error", "error_description", "Errors"}
    assert _resolve(doc, responses["200"]["content"]["application/json"]["schema"])["required"]


def test_lists_are_the_ordercloud_envelope(doc: dict[str, Any]) -> None:
    media = doc["paths"]["/v1/buyers"]["get"]["responses"]["200"]["content"]["application/json"]
    page = _resolve(doc, media["schema"])
    assert set(page["required"]) == {"Meta", "Items"}
    assert page["additionalProperties"] is False
    meta = _resolve(doc, page["properties"]["Meta"])
    assert {"Page", "PageSize", "TotalCount", "TotalPages", "ItemRange"} <= set(meta["required"])


def test_creates_link_to_what_they_created(doc: dict[str, Any]) -> None:
    links = doc["paths"]["/v1/buyers"]["post"]["responses"]["201"]["links"]
    targets = {
        doc_op["operationId"]: (path, method)
        for path, item in doc["paths"].items()
        for method, doc_op in item.items()
    }
    linked = {targets[link["operationId"]] for link in links.values()}
    for method in ("get", "put", "patch", "delete"):
        assert ("/v1/buyers/{buyerID}", method) in linked
    assert ("/v1/buyers/{buyerID}/users", "post") in linked
    nested = doc["paths"]["/v1/buyers/{buyerID}/users"]["post"]["responses"]["201"]["links"]
    to_user = next(link for link in nested.values() if "userID" in link["parameters"])
    assert to_user["parameters"] == {
        "buyerID": "$request.path.buyerID",
        "userID": "$response.body#/ID",
    }


async def test_metrics_are_documented_and_served_as_prometheus_text(
    doc: dict[str, Any], client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    for path in ("/metrics", "/gatehouse/metrics"):
        content = doc["paths"][path]["get"]["responses"]["200"]["content"]
        assert list(content) == ["text/plain; version=0.0.4; charset=utf-8"]
        response = await client.get(path)
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"


def _required(doc: dict[str, Any], path: str, method: str) -> list[str]:
    content = doc["paths"][path][method].get("requestBody", {}).get("content", {})
    schema = content.get("application/json", {}).get("schema", {})
    return [name for part in schema.get("allOf", []) for name in part.get("required", [])]


async def test_required_body_properties_are_what_the_server_requires(
    app: FastAPI, doc: dict[str, Any], client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    """Creates without a path parameter, sent ``{}``: the server names a property the
    document marks required; PATCH shares the model and requires nothing."""
    checked = 0
    for route, method in _ops(app):
        if (
            method != "post"
            or route.param_convertors
            or not _required(doc, route.path_format, method)
        ):
            continue
        response = await client.post(route.path_format, headers=marketplace.auth, json={})
        assert response.status_code == 400, (route.path_format, response.text)
        error = response.json()["Errors"][0]
        assert error["ErrorCode"] == "RequiredField", (route.path_format, error)
        assert error["Data"]["Field"] in _required(doc, route.path_format, method)
        checked += 1
    assert checked >= 6
    assert _required(doc, "/v1/buyers/{buyerID}", "put") == ["Name"]
    patch = doc["paths"]["/v1/buyers/{buyerID}"]["patch"]["requestBody"]["content"]
    assert "allOf" not in patch["application/json"]["schema"]


def test_a_database_outage_is_documented_everywhere_with_retry_after(
    app: FastAPI, doc: dict[str, Any]
) -> None:
    for route, method in _ops(app):
        outage = doc["paths"][route.path_format][method]["responses"]["503"]
        assert outage["headers"]["Retry-After"]["required"], route.path_format
    ready = doc["paths"]["/gatehouse/health/ready"]["get"]["responses"]["503"]
    assert _refs(ready["content"]["application/json"]["schema"]) == {
        "#/components/schemas/Readiness"
    }


def test_revoke_and_introspect_take_the_form_and_client_credentials(doc: dict[str, Any]) -> None:
    for path in ("/oauth/revoke", "/oauth/introspect"):
        operation = doc["paths"][path]["post"]
        form = operation["requestBody"]["content"]["application/x-www-form-urlencoded"]
        assert {"token", "client_id", "client_secret"} <= set(form["schema"]["properties"])
        assert _refs(operation["responses"]["401"]["content"]["application/json"]["schema"]) >= {
            ERROR_SCHEMAS[1]
        }
    assert doc["components"]["securitySchemes"]["clientBasic"]["scheme"] == "basic"
    assert "content" not in doc["paths"]["/oauth/revoke"]["post"]["responses"]["200"]


def test_sso_browser_endpoints_redirect_or_answer_html(doc: dict[str, Any]) -> None:
    for path, method in (("/ocrplogin", "get"), ("/ocrpcode", "get"), ("/ocrpcode", "post")):
        responses = doc["paths"][path][method]["responses"]
        assert responses["302"]["headers"]["Location"]["required"]
        assert "text/html" in responses["400"]["content"]
    callback = doc["paths"]["/ocrpcode"]["post"]["requestBody"]["content"]
    assert {"state", "code"} <= set(
        callback["application/x-www-form-urlencoded"]["schema"]["properties"]
    )


def test_metrics_refusal_off_loopback_is_documented(doc: dict[str, Any]) -> None:
    for path in ("/metrics", "/gatehouse/metrics"):
        assert "403" in doc["paths"][path]["get"]["responses"]
