"""RFC 6749 §2.3.1 client authentication edge cases (``oauth.client_auth``) and the RFC 8414
metadata document (``oauth.metadata``)."""

from __future__ import annotations

import base64
from urllib.parse import quote_plus

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gatehouse.oauth.client_auth import (
    CLIENT_SECRET_BASIC,
    CLIENT_SECRET_POST,
    NONE,
    basic_credentials,
    challenge,
    with_client_auth,
)
from gatehouse.oauth.errors import (
    BasicChallengeError,
    InvalidClientError,
    InvalidRequestError,
    invalid_client_secret,
)
from gatehouse.oauth.metadata import authorization_server_metadata
from gatehouse.oauth.server import MAX_FIELD_LENGTH, TokenRequest


def header(raw: bytes) -> str:
    return "Basic " + base64.b64encode(raw).decode()


def rfc_header(client_id: str, secret: str) -> str:
    return header(f"{quote_plus(client_id)}:{quote_plus(secret)}".encode())


@given(
    st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=40),
    st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=40),
)
def test_rfc_encoded_credentials_round_trip(client_id: str, secret: str) -> None:
    found = basic_credentials(rfc_header(client_id, secret))
    assert found is not None
    assert found[:2] == (client_id, secret)


def test_a_colon_in_the_secret_needs_no_encoding() -> None:
    assert basic_credentials(header(b"cid:a:b")) == ("cid", "a:b", "a:b")


def test_the_secret_as_sent_is_kept_when_decoding_changes_it() -> None:
    found = basic_credentials(header(b"cid:a+b%41"))
    assert found == ("cid", "a bA", "a+b%41")


def test_latin1_bytes_are_read_as_latin1() -> None:
    assert basic_credentials(header("cid:é".encode("latin-1"))) == ("cid", "é", "é")


@pytest.mark.parametrize("value", [None, "", "Bearer abc", "Digest x", "basicabc"])
def test_other_schemes_are_not_basic(value: str | None) -> None:
    assert basic_credentials(value) is None


@pytest.mark.parametrize(
    "value",
    [
        "Basic",
        "Basic ",
        "Basic !!!",
        "Basic " + "A" * (4 * MAX_FIELD_LENGTH + 4),
        header(b"no-colon"),
        header(b":secret"),
        header(b"cid:nul\x00"),
        header(b"cid:" + b"x" * (MAX_FIELD_LENGTH + 1)),
    ],
)
def test_malformed_basic_credentials_are_a_401_challenge(value: str) -> None:
    with pytest.raises(BasicChallengeError) as raised:
        basic_credentials(value)
    assert raised.value.status_code == 401
    assert raised.value.headers()["WWW-Authenticate"].startswith("Basic")


def test_scheme_is_case_insensitive() -> None:
    assert basic_credentials("bAsIc " + rfc_header("c", "s").split(" ")[1]) == ("c", "s", "s")


def test_methods() -> None:
    request = TokenRequest(grant_type="password", client_id="cid")
    assert with_client_auth(request, None) == (request, NONE)
    posted = TokenRequest(client_id="cid", client_secret="s")
    assert with_client_auth(posted, None) == (posted, CLIENT_SECRET_POST)
    merged, method = with_client_auth(TokenRequest(), rfc_header("cid", "s"))
    assert (merged.client_id, merged.client_secret, method) == ("cid", "s", CLIENT_SECRET_BASIC)
    assert merged.basic_secret_as_sent is None
    empty, _ = with_client_auth(TokenRequest(), rfc_header("cid", ""))
    assert empty.client_secret is None  # a public client through Basic


def test_basic_with_a_form_secret_or_another_client_id_is_two_methods() -> None:
    for request in (TokenRequest(client_secret="s"), TokenRequest(client_id="other")):
        with pytest.raises(InvalidRequestError) as raised:
            with_client_auth(request, rfc_header("cid", "s"))
        assert raised.value.status_code == 400
        assert raised.value.code == "Auth.MultipleClientAuthentication"
    same, _ = with_client_auth(TokenRequest(client_id="CID"), rfc_header("cid", "s"))
    assert same.client_id == "cid"


def test_a_challenge_only_for_basic() -> None:
    error = invalid_client_secret()
    assert "WWW-Authenticate" in challenge(error, CLIENT_SECRET_BASIC).headers()
    assert challenge(error, CLIENT_SECRET_POST) is error
    assert isinstance(challenge(error, CLIENT_SECRET_BASIC), InvalidClientError)


def test_metadata_lists_endpoints_methods_and_roles() -> None:
    found = authorization_server_metadata("https://id.example")
    assert found["issuer"] == "https://id.example"
    assert found["revocation_endpoint"] == "https://id.example/oauth/revoke"
    assert found["introspection_endpoint"] == "https://id.example/oauth/introspect"
    assert "none" not in found["introspection_endpoint_auth_methods_supported"]
    assert len(found["scopes_supported"]) == len(set(found["scopes_supported"])) > 90
