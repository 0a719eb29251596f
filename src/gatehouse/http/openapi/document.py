"""Building the OpenAPI document: FastAPI's, then what follows from each route's requirements.

``build`` takes FastAPI's document (paths, parameters, request bodies, the response models the
routes declare) and makes it tell the wire's truth:

- FastAPI's 422 ``HTTPValidationError`` goes (Gatehouse answers 400 with ``Errors``);
- every operation gets the error statuses its requirements bring (``errors.py``) and the
  middleware's (400, 413), each with the ``Errors`` body, unless the route declared its own;
- protected operations (a role check among their dependencies) get the ``bearer`` scheme,
  public ones an explicit empty ``security``;
- ``links.add_links`` chains create → get → update → delete.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI, routing
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from pydantic.json_schema import models_json_schema

from gatehouse.http.deps import RouteRequirement
from gatehouse.http.openapi.errors import (
    EVERY_REQUEST,
    REQUIREMENT_STATUSES,
    Errors,
    OAuthErrors,
    error_response,
)
from gatehouse.http.openapi.links import add_links

REF = "#/components/schemas/{model}"
RETRY_AFTER = {"Retry-After": {"required": True, "schema": {"type": "integer", "minimum": 1}}}
SECURITY_SCHEMES = {
    "bearer": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "An access token from `POST /oauth/token` (RS256 JWT).",
    },
    "clientBasic": {
        "type": "http",
        "scheme": "basic",
        "description": "An API client's ID and secret (RFC 6749 §2.3.1), instead of the form's "
        "`client_id` and `client_secret`.",
    },
    "metricsToken": {
        "type": "http",
        "scheme": "bearer",
        "description": "`GATEHOUSE_METRICS_TOKEN`, when the server sets one.",
    },
}
DESCRIPTION = (
    "Gatehouse: an identity and access server wire-compatible with Sitecore OrderCloud. "
    "Every error body is OrderCloud's `Errors`; `/oauth/token` errors also carry RFC 6749's "
    "`error` and `error_description`."
)


def install(app: FastAPI) -> None:
    """Serve ``build(app)`` at ``app.openapi_url``, built once per process."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def build(app: FastAPI) -> dict[str, Any]:
    doc = get_openapi(
        title=app.title,
        version=app.version,
        openapi_version="3.1.0",
        description=DESCRIPTION,
        routes=app.routes,
    )
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    _, defs = models_json_schema(
        [(Errors, "serialization"), (OAuthErrors, "serialization")], ref_template=REF
    )
    schemas.update(defs["$defs"])
    doc["components"]["securitySchemes"] = SECURITY_SCHEMES
    for route, operation in operations(app, doc):
        _complete(route, operation)
        _mark_required(route, operation)
    add_links(doc)
    return doc


def operations(app: FastAPI, doc: dict[str, Any]) -> Iterator[tuple[APIRoute, dict[str, Any]]]:
    """Each documented route with each of its operations in ``doc``."""
    for route in api_routes(app):
        if route.include_in_schema:
            for method in sorted(route.methods or ()):
                yield route, doc["paths"][route.path_format][method.lower()]


def api_routes(app: FastAPI) -> Iterator[APIRoute]:
    """The app's API routes. Routers are included without a prefix (each router carries its
    own), so a route's ``path_format`` is its path in the document. FastAPI ≥ 0.150 keeps
    included routers nested (``iter_route_contexts`` flattens them); older ones copy routes."""
    flatten = getattr(routing, "iter_route_contexts", None)
    contexts = flatten(app.routes) if flatten is not None else app.routes
    for context in contexts:
        route = getattr(context, "original_route", context)
        if isinstance(route, APIRoute):
            yield route


def requirements(route: APIRoute) -> set[str]:
    """The route's requirements (keys of ``REQUIREMENT_STATUSES``), from its dependencies:
    the ``RouteRequirement`` that ``require``, ``authenticated_only`` and
    ``require_company_access`` build."""
    calls = list(_calls(route.dependant))
    requirement = next((c for c in calls if isinstance(c, RouteRequirement)), None)
    found: set[str] = set()
    if requirement is None:
        return found
    found.add("bearer")
    if requirement.roles or requirement.seller_only:
        found.add("roles")
    if requirement.company is not None:
        found.add("company")
    if route.path_format.startswith("/v1/"):
        found.add("api_bucket")
    return found


def error_statuses(route: APIRoute) -> set[int]:
    """Every error status the route's requirements bring, path lookups included (a path
    parameter names an object, and an unknown one is 404)."""
    statuses = set(EVERY_REQUEST)
    for requirement in requirements(route):
        statuses.update(REQUIREMENT_STATUSES[requirement])
    if route.param_convertors:
        statuses.add(404)
    return statuses


def _complete(route: APIRoute, operation: dict[str, Any]) -> None:
    responses = operation.setdefault("responses", {})
    responses.pop("422", None)
    for status in sorted(error_statuses(route)):
        responses.setdefault(str(status), error_response(status))
    for waiting in ("429", "503"):
        if waiting in responses and "headers" not in responses[waiting]:
            responses[waiting]["headers"] = RETRY_AFTER
    if "security" not in operation:
        operation["security"] = [{"bearer": []}] if "bearer" in requirements(route) else []


def _mark_required(route: APIRoute, operation: dict[str, Any]) -> None:
    """A create's or full replace's body: the model's ``REQUIRED`` properties are required
    (the model itself leaves them optional, so PATCH can share it)."""
    body = route.body_field
    required = getattr(body.field_info.annotation, "REQUIRED", ()) if body is not None else ()
    if not required or not ({"POST", "PUT"} & (route.methods or set())):
        return
    media = operation["requestBody"]["content"]["application/json"]
    media["schema"] = {"allOf": [media["schema"], {"required": list(required)}]}


def _calls(dependant: Any) -> Iterator[Any]:
    for dep in dependant.dependencies:
        if dep.call is not None:
            yield dep.call
        yield from _calls(dep)
