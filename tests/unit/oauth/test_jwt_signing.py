"""The hand-rolled RS256 signer writes exactly what PyJWT writes, and PyJWT verifies it."""

from __future__ import annotations

import base64
import json
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from gatehouse.oauth.jwt import header_segment, sign_rs256
from gatehouse.oauth.keys import SigningKey

CLAIMS: list[dict[str, Any]] = [
    {
        "usr": "admin",
        "cid": "0F0B5F4A-1111-2222-3333-444455556666",
        "u": "12",
        "usrtype": "admin",
        "role": ["FullAccess", "MeAdmin"],
        "iss": "http://localhost",
        "aud": "http://localhost",
        "exp": 1_900_000_000,
        "nbf": 1_899_999_000,
        "iat": 1_899_999_000,
        "jti": "abc",
        "sub": "12",
        "client_id": "0F0B5F4A",
        "scope": "FullAccess MeAdmin",
    },
    {"usr": "zoë \u00e9\u4e2d", "cid": "x", "usrtype": "buyer", "role": "Shopper", "exp": 2},
]


@pytest.fixture(scope="module")
def key() -> SigningKey:
    return SigningKey("kid-A_b", rsa.generate_private_key(public_exponent=65537, key_size=2048))


@pytest.mark.parametrize("claims", CLAIMS)
def test_byte_identical_to_pyjwt(key: SigningKey, claims: dict[str, Any]) -> None:
    expected = jwt.encode(claims, key.private_key, algorithm="RS256", headers={"kid": key.kid})
    assert sign_rs256(claims, key) == expected


@pytest.mark.parametrize("claims", CLAIMS)
def test_pyjwt_verifies_it(key: SigningKey, claims: dict[str, Any]) -> None:
    token = sign_rs256(claims, key)
    decoded = jwt.decode(
        token,
        key.private_key.public_key(),
        algorithms=["RS256"],
        options={
            "verify_exp": False,
            "verify_aud": False,
            "verify_nbf": False,
            "verify_iat": False,
        },
    )
    assert decoded == claims
    assert jwt.get_unverified_header(token) == {"alg": "RS256", "kid": key.kid, "typ": "JWT"}


def test_header_segment_is_compact_sorted_json() -> None:
    segment = header_segment("k1")
    assert segment.endswith(b".")
    raw = base64.urlsafe_b64decode(segment[:-1] + b"=" * (-len(segment[:-1]) % 4))
    assert raw == b'{"alg":"RS256","kid":"k1","typ":"JWT"}'
    assert json.loads(raw)["kid"] == "k1"
