"""What the benchmark measures: one ``Scenario`` per hot path.

To benchmark another hot path, append a ``Scenario`` to ``SCENARIOS``: it only says
how to build one request (method, path, headers, body) from the ``Fixture`` that
``run.py`` prepares once per run. Keeping requests declarative is what lets the same
scenario run under wrk and under the built-in Python load generator unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode

FORM = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class Fixture:
    """Everything scenarios may refer to; filled once per run, before any load.

    Extend it (and ``run.make_fixture``) when a new hot path needs more set-up data.
    """

    base_url: str
    marketplace_id: str
    api_client_id: str
    username: str
    password: str
    access_token: str


@dataclass(frozen=True)
class Request:
    """One concrete HTTP request, repeated by the load generator."""

    method: str
    url: str
    headers: Mapping[str, str]
    body: str
    wrk_script: str
    """File name in ``bench/wrk/``; it sets the method, body and reports as JSON."""


def _no_headers(_: Fixture) -> Mapping[str, str]:
    return {}


def _no_body(_: Fixture) -> str:
    return ""


@dataclass(frozen=True)
class Scenario:
    """A hot path: builders turn the run's ``Fixture`` into a concrete ``Request``."""

    name: str
    label: str
    """Shown in reports instead of the real path, so IDs and tokens stay out of results."""
    method: str
    path: Callable[[Fixture], str]
    headers: Callable[[Fixture], Mapping[str, str]] = field(default=_no_headers)
    body: Callable[[Fixture], str] = field(default=_no_body)
    wrk_script: str = "request.lua"
    expect_status: int = 200

    def request(self, fixture: Fixture) -> Request:
        """Build the request once; the load generator replays it unchanged."""
        return Request(
            method=self.method,
            url=fixture.base_url + self.path(fixture),
            headers=dict(self.headers(fixture)),
            body=self.body(fixture),
            wrk_script=self.wrk_script,
        )


def _password_grant_body(fx: Fixture) -> str:
    return urlencode(
        {
            "grant_type": "password",
            "client_id": fx.api_client_id,
            "username": fx.username,
            "password": fx.password,
        }
    )


def _bearer(fx: Fixture) -> Mapping[str, str]:
    return {"Authorization": f"Bearer {fx.access_token}"}


SCENARIOS: list[Scenario] = [
    Scenario(
        name="password_grant",
        label="POST /oauth/token (grant_type=password)",
        method="POST",
        path=lambda fx: "/oauth/token",
        headers=lambda fx: {"Content-Type": FORM},
        body=_password_grant_body,
        wrk_script="form_post.lua",
    ),
    Scenario(
        name="get_apiclient",
        label="GET /v1/apiclients/{ApiClientID} (Bearer)",
        method="GET",
        path=lambda fx: f"/v1/apiclients/{fx.api_client_id}",
        headers=_bearer,
        wrk_script="bearer_get.lua",
    ),
]


def select(names: list[str] | None) -> list[Scenario]:
    """Pick scenarios by name (all when none given), failing loudly on typos."""
    if not names:
        return list(SCENARIOS)
    known = {s.name: s for s in SCENARIOS}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise SystemExit(f"unknown scenario(s) {unknown}; known: {sorted(known)}")
    return [known[n] for n in names]
