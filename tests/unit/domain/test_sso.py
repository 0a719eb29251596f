"""The SSO flow's pure rules: the safe ``appstartpath`` (property-tested: nothing it accepts
can move an ``https://app.example{2}`` redirect to another host), AppStartUrl templating,
customParams, scopes and the authorization URL."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gatehouse.domain.errors import InvalidInputError
from gatehouse.domain.sso import (
    AuthorizationRequest,
    SsoFlowError,
    authorization_url,
    legacy_username,
    parse_custom_params,
    parse_roles,
    pkce_challenge,
    render_app_start_url,
    render_error_url,
    safe_app_start_path,
    scopes_for,
)

HOSTILE = st.text(alphabet="/\\@:.?#%evil\r\n\t abc", max_size=30)


@given(HOSTILE)
def test_an_accepted_path_never_leaves_the_app(path: str) -> None:
    try:
        accepted = safe_app_start_path(path)
    except SsoFlowError:
        return
    for template in ("https://app.example{2}", "https://app.example{2}?token={0}"):
        url = render_app_start_url(template, {"0": "t"}, accepted)
        assert urlsplit(url).netloc == "app.example"


@pytest.mark.parametrize(
    "path", ["@evil.example", "//evil.example", "/\\evil", "https://e.x/", "e.x", "/a\nb"]
)
def test_unsafe_paths(path: str) -> None:
    with pytest.raises(SsoFlowError):
        safe_app_start_path(path)


def test_templating_encodes_tokens_and_substitutes_once() -> None:
    values = {"0": "a b&c", "1": "{2}", "3": None, "4": "r"}
    url = render_app_start_url("https://x{2}?t={0}&i={1}&r={3}&ir={4}&tk={token}", values, "/p")
    assert url == "https://x/p?t=a%20b%26c&i=%7B2%7D&r=&ir=r&tk=a%20b%26c"
    assert render_error_url("https://x/e?m={0}", "no way") == "https://x/e?m=no%20way"


def test_custom_params_and_protected_names() -> None:
    assert parse_custom_params(["locale=us", "response_mode=form_post"]) == (
        ("locale", "us"),
        ("response_mode", "form_post"),
    )
    for raw in ("client_id=x", " Redirect_URI=x", "code_challenge=x", "scope=openid"):
        with pytest.raises(InvalidInputError):
            parse_custom_params([raw])


def test_authorization_url_keeps_the_endpoints_query() -> None:
    request = AuthorizationRequest(
        client_id="c",
        redirect_uri="https://gh/ocrpcode",
        scopes=scopes_for(["email", "offline_access api://x/.default"]),
        state="s",
        nonce="n",
        code_challenge=pkce_challenge("v" * 43),
        custom_params=(("prompt", "login"),),
    )
    url = authorization_url("https://idp/authorize?p=B2C_1&client_id=evil", request)
    query = parse_qsl(urlsplit(url).query)
    assert query[0] == ("p", "B2C_1")
    assert dict(query)["client_id"] == "c"
    assert [k for k, _ in query].count("client_id") == 1
    assert dict(query)["scope"] == "openid profile email offline_access api://x/.default"
    assert query[-1] == ("prompt", "login")


def test_pkce_rfc7636_example() -> None:
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    assert pkce_challenge(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def test_legacy_username_needs_a_verified_email() -> None:
    assert legacy_username({"email": "a@b.c", "email_verified": True}) == "a@b.c"
    for claims in ({"email": "a@b.c"}, {"email": "a@b.c", "email_verified": "true"}, {}):
        with pytest.raises(SsoFlowError):
            legacy_username(claims)


def test_roles_parsing() -> None:
    assert parse_roles("Shopper+MeAdmin  X") == "Shopper MeAdmin X"
    assert parse_roles("  ") is None
    assert parse_roles(None) is None
