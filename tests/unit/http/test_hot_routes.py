"""The routers matched first (``app.HOT_ROUTERS``) change no match: none of their path
templates can match a path that another router's template matches."""

from __future__ import annotations

from gatehouse.app import HOT_ROUTERS, ROUTERS


def _could_match_the_same_path(a: str, b: str) -> bool:
    left, right = a.strip("/").lower().split("/"), b.strip("/").lower().split("/")
    return len(left) == len(right) and all(
        x == y or x.startswith("{") or y.startswith("{") for x, y in zip(left, right, strict=True)
    )


def test_hot_routers_overlap_no_other_router() -> None:
    clashes = [
        (hot_path, path)
        for hot in HOT_ROUTERS
        for other in ROUTERS
        if other is not hot
        for hot_path in (str(getattr(r, "path", "")) for r in hot.routes)
        for path in (str(getattr(r, "path", "")) for r in other.routes)
        if _could_match_the_same_path(hot_path, path)
    ]
    assert clashes == []


def test_the_clash_check_sees_a_clash() -> None:
    assert _could_match_the_same_path("/v1/buyers/{id}/users", "/v1/buyers/b1/Users")
    assert not _could_match_the_same_path("/v1/me", "/v1/me/orders")


def test_the_token_endpoint_is_tried_before_every_other_route() -> None:
    """Its router holds nothing else, so routing a token request costs one ``matches``."""
    first = HOT_ROUTERS[0]
    assert [getattr(r, "path", None) for r in first.routes] == ["/oauth/token"]
