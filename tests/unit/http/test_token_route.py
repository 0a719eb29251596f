"""``POST /oauth/token`` skips FastAPI's per-request dependency and response-model work."""

from __future__ import annotations

from fastapi.routing import APIRoute

from gatehouse.http.routers.oauth import PlainRoute, token, token_router


def test_the_token_route_hands_the_request_to_the_endpoint_itself() -> None:
    [route] = [
        r for r in token_router.routes if isinstance(r, APIRoute) and r.path == "/oauth/token"
    ]
    assert isinstance(route, PlainRoute)
    assert route.get_route_handler() is token
    assert route.methods == {"POST"}
    assert route.response_model is not None  # still documented with its model
