"""The token endpoint's form parsing and grant dispatch, without HTTP or a database."""

from __future__ import annotations

import pytest

from gatehouse.oauth.errors import InvalidRequestError, UnsupportedGrantTypeError
from gatehouse.oauth.server import TokenEndpoint, TokenRequest, TokenResponse


def test_empty_values_are_absent_and_first_value_wins() -> None:
    request = TokenRequest.from_pairs(
        [
            ("grant_type", "password"),
            ("client_secret", ""),
            ("scope", "A"),
            ("scope", "B"),
            ("unknown", "x"),
        ]
    )
    assert request.client_secret is None
    assert request.scope == "A"


def test_overlong_values_are_refused() -> None:
    with pytest.raises(InvalidRequestError):
        TokenRequest.from_pairs([("password", "x" * 5000)])


class _Grant:
    grant_type = "password"

    async def issue(self, request: TokenRequest) -> TokenResponse:
        return TokenResponse(access_token=f"for-{request.username}", expires_in=10)


async def test_dispatch_by_grant_type() -> None:
    endpoint = TokenEndpoint([_Grant()])
    response = await endpoint.handle(TokenRequest(grant_type="password", username="u"))
    assert response.body() == {"access_token": "for-u", "token_type": "bearer", "expires_in": 10}
    with pytest.raises(UnsupportedGrantTypeError):
        await endpoint.handle(TokenRequest(grant_type="implicit"))
    with pytest.raises(UnsupportedGrantTypeError):
        await endpoint.handle(TokenRequest())


def test_refresh_token_is_included_only_when_issued() -> None:
    assert "refresh_token" in TokenResponse("a", 1, "r").body()
    assert "refresh_token" not in TokenResponse("a", 1).body()
