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
class LoadedFixture:
    """The second, seeded marketplace (``--dataset loaded``; see ``bench/seed.py``)."""

    marketplace_id: str
    admin_token: str
    """The loaded marketplace's own admin (FullAccess): list routes are marketplace-scoped."""
    buyer_client_id: str
    """AllowAnyBuyer=true, so buyer users may log in through it."""
    anon_client_id: str
    """IsAnonBuyer=true, no secret, ``buyer_username`` as its template user."""
    buyer_username: str
    """Holds company-, group- and user-level security profiles."""
    password: str
    big_buyer_id: str
    """The buyer with 10,000 users that the list scenarios page through."""


@dataclass(frozen=True)
class Fixture:
    """Everything scenarios may refer to; filled once per run, before any load.

    The top-level fields belong to a marketplace that stays empty (its admin only);
    ``loaded`` is set only with ``--dataset loaded``. Extend it (and ``run.make_fixture``)
    when a new hot path needs more set-up data.
    """

    base_url: str
    marketplace_id: str
    api_client_id: str
    username: str
    password: str
    access_token: str
    cc_client_id: str
    """Made through ``POST /v1/apiclients``: legacy ClientSecret, DefaultContextUserName
    (the admin), RefreshTokenDuration 60."""
    cc_client_secret: str
    refresh_token: str
    """Issued by one password grant on ``cc_client_id``; not rotated, so it can be replayed."""
    buyer_id: str = ""
    """A buyer with 20 users (``harness.create_buyer_with_users``), for ``list_buyer_users``."""
    loaded: LoadedFixture | None = None

    def require_loaded(self) -> LoadedFixture:
        """For builders of ``needs_loaded`` scenarios; ``select`` keeps them from running
        without the data, so reaching the error means a bug in the bench itself."""
        if self.loaded is None:
            raise RuntimeError("this scenario needs --dataset loaded")
        return self.loaded


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
    needs_loaded: bool = False
    """Runs only with ``--dataset loaded``: it reads the seeded marketplace."""

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


def _client_credentials_body(fx: Fixture) -> str:
    """The secret goes in the form (``client_secret``), not HTTP Basic."""
    return urlencode(
        {
            "grant_type": "client_credentials",
            "client_id": fx.cc_client_id,
            "client_secret": fx.cc_client_secret,
            "scope": "FullAccess",
        }
    )


def _refresh_token_body(fx: Fixture) -> str:
    return urlencode(
        {
            "grant_type": "refresh_token",
            "client_id": fx.cc_client_id,
            "client_secret": fx.cc_client_secret,
            "refresh_token": fx.refresh_token,
        }
    )


def _bearer(fx: Fixture) -> Mapping[str, str]:
    return {"Authorization": f"Bearer {fx.access_token}"}


def _loaded_password_grant_body(fx: Fixture) -> str:
    loaded = fx.require_loaded()
    return urlencode(
        {
            "grant_type": "password",
            "client_id": loaded.buyer_client_id,
            "username": loaded.buyer_username,
            "password": loaded.password,
        }
    )


def _anonymous_body(fx: Fixture) -> str:
    """The anonymous shopping grant: no secret, a fresh ``orderid`` per token."""
    return urlencode(
        {
            "grant_type": "client_credentials",
            "client_id": fx.require_loaded().anon_client_id,
            "scope": "Shopper MeAdmin",
        }
    )


def _loaded_bearer(fx: Fixture) -> Mapping[str, str]:
    return {"Authorization": f"Bearer {fx.require_loaded().admin_token}"}


LIST_FILTERED_QUERY = "LastName=Smith*&sortBy=!LastName,ID&pageSize=100"
"""Matches Smith and Smithers: 1,000 of the big buyer's 10,000 users (10 pages)."""
LIST_PAGE_QUERY = "page=50&pageSize=100&sortBy=Username"
"""The middle of the big buyer's 100 pages: OFFSET 4,900 rows, plus the total count."""


def _big_users_path(query: str) -> Callable[[Fixture], str]:
    """Written literally: ``*``, ``!`` and ``,`` mean the same to the server escaped or not."""
    return lambda fx: f"/v1/buyers/{fx.require_loaded().big_buyer_id}/users?{query}"


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
    Scenario(
        name="get_me",
        label="GET /v1/me (Bearer, the admin's password-grant token)",
        method="GET",
        path=lambda fx: "/v1/me",
        headers=_bearer,
        wrk_script="bearer_get.lua",
    ),
    Scenario(
        name="client_credentials",
        label="POST /oauth/token (grant_type=client_credentials, client_secret in form)",
        method="POST",
        path=lambda fx: "/oauth/token",
        headers=lambda fx: {"Content-Type": FORM},
        body=_client_credentials_body,
        wrk_script="form_post.lua",
    ),
    Scenario(
        name="refresh_token",
        label="POST /oauth/token (grant_type=refresh_token, client_secret in form)",
        method="POST",
        path=lambda fx: "/oauth/token",
        headers=lambda fx: {"Content-Type": FORM},
        body=_refresh_token_body,
        wrk_script="form_post.lua",
    ),
    Scenario(
        name="list_apiclients",
        label="GET /v1/apiclients (Bearer, default page)",
        method="GET",
        path=lambda fx: "/v1/apiclients",
        headers=_bearer,
        wrk_script="bearer_get.lua",
    ),
    Scenario(
        name="list_buyer_users",
        label="GET /v1/buyers/{BuyerID}/users?pageSize=20 (Bearer, a buyer with 20 users)",
        method="GET",
        path=lambda fx: f"/v1/buyers/{fx.buyer_id}/users?pageSize=20",
        headers=_bearer,
        wrk_script="bearer_get.lua",
    ),
    Scenario(
        name="password_grant_loaded",
        label="POST /oauth/token (grant_type=password, buyer user, loaded marketplace)",
        method="POST",
        path=lambda fx: "/oauth/token",
        headers=lambda fx: {"Content-Type": FORM},
        body=_loaded_password_grant_body,
        wrk_script="form_post.lua",
        needs_loaded=True,
    ),
    Scenario(
        name="anonymous",
        label="POST /oauth/token (grant_type=client_credentials, IsAnonBuyer client, loaded)",
        method="POST",
        path=lambda fx: "/oauth/token",
        headers=lambda fx: {"Content-Type": FORM},
        body=_anonymous_body,
        wrk_script="form_post.lua",
        needs_loaded=True,
    ),
    Scenario(
        name="list_users_loaded",
        label=f"GET /v1/buyers/big/users?{LIST_FILTERED_QUERY} (Bearer)",
        method="GET",
        path=_big_users_path(LIST_FILTERED_QUERY),
        headers=_loaded_bearer,
        wrk_script="bearer_get.lua",
        needs_loaded=True,
    ),
    Scenario(
        name="list_users_page",
        label=f"GET /v1/buyers/big/users?{LIST_PAGE_QUERY} (Bearer)",
        method="GET",
        path=_big_users_path(LIST_PAGE_QUERY),
        headers=_loaded_bearer,
        wrk_script="bearer_get.lua",
        needs_loaded=True,
    ),
]


def select(names: list[str] | None, *, loaded: bool = False) -> list[Scenario]:
    """Pick scenarios by name (all that the dataset allows when none given), failing
    loudly on typos and on seeded scenarios asked for without ``--dataset loaded``."""
    if not names:
        return [s for s in SCENARIOS if loaded or not s.needs_loaded]
    known = {s.name: s for s in SCENARIOS}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise SystemExit(f"unknown scenario(s) {unknown}; known: {sorted(known)}")
    unseeded = [n for n in names if known[n].needs_loaded and not loaded]
    if unseeded:
        raise SystemExit(f"scenario(s) {unseeded} need --dataset loaded")
    return [known[n] for n in names]
