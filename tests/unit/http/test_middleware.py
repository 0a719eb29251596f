"""Case-insensitive route matching that leaves IDs alone."""

from __future__ import annotations

import pytest

from gatehouse.http.middleware import CaseInsensitivePaths

TEMPLATES = [
    "/v1/apiclients",
    "/v1/apiclients/assignments",
    "/v1/apiclients/{apiClientID}",
    "/v1/buyers/{buyerID}/ApiClients/Assignments/{apiClientID}",
    "/oauth/token",
]


@pytest.mark.parametrize(
    ("path", "canonical"),
    [
        ("/V1/ApiClients", "/v1/apiclients"),
        ("/v1/APICLIENTS/Assignments", "/v1/apiclients/assignments"),
        ("/v1/apiclients/MyID", "/v1/apiclients/MyID"),
        (
            "/v1/buyers/Buyers/apiclients/ASSIGNMENTS/Abc",
            "/v1/buyers/Buyers/ApiClients/Assignments/Abc",
        ),
        ("/OAuth/Token", "/oauth/token"),
        ("/v1/unknown", None),
    ],
)
def test_canonical(path: str, canonical: str | None) -> None:
    middleware = CaseInsensitivePaths(app=None, templates=TEMPLATES)  # type: ignore[arg-type]
    assert middleware._canonical(path) == canonical
