"""``DirectRoute``: a route whose dependencies are resolved by a plan made once, not by
FastAPI's general solver on every request (issue 12, the admin lists).

FastAPI's ``solve_dependencies`` handles every kind of parameter on every request: it looks
up overrides, builds cache keys with security scopes, extracts query, header and cookie
parameters and validates each. For a route whose dependency tree is only ``async``
callables taking the ``Request``, ``str`` path parameters and other such dependencies, that
generality was a sixth of the list routes' CPU. ``DirectRoute`` walks that tree once, when
the route is built, and per request calls the same callables in the same order (depth first,
route dependencies before the endpoint's parameters, each callable once per request as
FastAPI caches them). The route stays an ``APIRoute`` with its ``dependant``, so the OpenAPI
document and the route-table tests read exactly what they read before. A tree holding
anything else (a query parameter, a generator, a sync callable, security scopes), an
endpoint that does not return a ``Response``, or an app with dependency overrides, is served
by FastAPI's own handler.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


@dataclass(frozen=True, slots=True)
class Step:
    """One dependency (or the endpoint): what to call and where its arguments come from."""

    call: Callable[..., Any]
    name: str | None
    request_param: str | None
    path_params: tuple[tuple[str, str], ...]
    """(argument name, path parameter name) pairs, all ``str``."""
    needs: tuple[Step, ...]
    use_cache: bool


def plan(dependant: Dependant) -> Step | None:
    """The resolution plan of ``dependant``, or ``None`` when it needs FastAPI's solver."""
    simple = not (
        dependant.query_params
        or dependant.header_params
        or dependant.cookie_params
        or dependant.body_params
        or dependant.websocket_param_name
        or dependant.http_connection_param_name
        or dependant.response_param_name
        or dependant.background_tasks_param_name
        or dependant.security_scopes_param_name
        or dependant.own_oauth_scopes
        or dependant.concurrency is not None
    )
    if not simple or dependant.call is None or not is_async(dependant.call):
        return None
    path: list[tuple[str, str]] = []
    for field in dependant.path_params:
        if field.field_info.annotation is not str:
            return None
        path.append((field.name, field.alias))
    needs = [plan(sub) for sub in dependant.dependencies]
    if any(step is None for step in needs):
        return None
    return Step(
        call=dependant.call,
        name=dependant.name,
        request_param=dependant.request_param_name,
        path_params=tuple(path),
        needs=tuple(step for step in needs if step is not None),
        use_cache=dependant.use_cache,
    )


def is_async(call: object) -> bool:
    """A coroutine function or an instance with an ``async def __call__`` (never a generator);
    what Starlette awaits rather than runs in its thread pool (also ``http.token_lane``)."""
    if inspect.isfunction(call) or inspect.ismethod(call):
        return inspect.iscoroutinefunction(call)
    return inspect.iscoroutinefunction(type(call).__call__)


async def solve(step: Step, request: Request, cache: dict[int, Any]) -> Any:
    """Call ``step`` with its arguments, solving what it needs first. Results are kept per
    callable by identity, as FastAPI keeps them, so a shared dependency runs once."""
    if step.use_cache and id(step.call) in cache:
        return cache[id(step.call)]
    values: dict[str, Any] = {}
    for need in step.needs:
        solved = await solve(need, request, cache)
        if need.name is not None:
            values[need.name] = solved
    for argument, param in step.path_params:
        values[argument] = request.path_params[param]
    if step.request_param is not None:
        values[step.request_param] = request
    result = await step.call(**values)
    cache.setdefault(id(step.call), result)
    return result


class DirectRoute(APIRoute):
    """An ``APIRoute`` served through its ``plan`` when it has one (module docstring)."""

    def get_route_handler(self) -> Handler:
        standard = super().get_route_handler()
        endpoint = plan(self.dependant)
        if endpoint is None:
            return standard

        async def handler(request: Request) -> Response:
            if request.app.dependency_overrides:
                return await standard(request)
            response = await solve(endpoint, request, {})
            if not isinstance(response, Response):
                raise TypeError(f"{self.name} must return a Response to be a DirectRoute")
            return response

        return handler
