"""ApiClient field rules and the full-access definition."""

from __future__ import annotations

import pytest

from gatehouse.domain.api_clients import ApiClient, validate_api_client
from gatehouse.domain.errors import InvalidInputError


def client(**fields: object) -> ApiClient:
    values: dict[str, object] = {
        "id": "c",
        "app_name": "App",
        "access_token_duration": 60,
        **fields,
    }
    return ApiClient(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "fields",
    [
        {"access_token_duration": 10},
        {"access_token_duration": 600},
        {"refresh_token_duration": 0},
        {"refresh_token_duration": 524160},
        {"anonymous_token_duration": 10},
        {"anonymous_token_duration": 86400},
        {"minimum_required_roles": ["Shopper"]},
        {"maximum_granted_custom_roles": ["x"]},
    ],
)
def test_valid(fields: dict[str, object]) -> None:
    validate_api_client(client(**fields))


@pytest.mark.parametrize(
    "fields",
    [
        {"access_token_duration": 9},
        {"access_token_duration": 601},
        {"refresh_token_duration": -1},
        {"refresh_token_duration": 524161},
        {"anonymous_token_duration": 9},
        {"anonymous_token_duration": 86401},
        {"app_name": " "},
        {"app_name": "x" * 1001},
        {"client_secret": "s" * 1001},
        {"minimum_required_roles": ["Nope"]},
        {"maximum_granted_custom_roles": ["a b"]},
        {"maximum_granted_custom_roles": [""]},
    ],
)
def test_invalid(fields: dict[str, object]) -> None:
    with pytest.raises(InvalidInputError):
        validate_api_client(client(**fields))


@pytest.mark.parametrize(
    ("fields", "full"),
    [
        ({"allow_seller": True}, True),
        ({"allow_seller": False}, False),
        ({"allow_seller": True, "active": False}, False),
        ({"allow_seller": True, "maximum_granted_roles": ["FullAccess", "Shopper"]}, True),
        ({"allow_seller": True, "maximum_granted_roles": ["ApiClientAdmin"]}, False),
        ({"allow_seller": True, "maximum_granted_custom_roles": ["x"]}, False),
        ({"allow_seller": True, "minimum_required_roles": ["FullAccess"]}, True),
        ({"allow_seller": True, "minimum_required_roles": ["Shopper"]}, False),
    ],
)
def test_full_access_clients(fields: dict[str, object], full: bool) -> None:
    assert client(**fields).grants_full_access_to_sellers() is full


def test_empty_legacy_secret_is_no_secret() -> None:
    assert not client(client_secret="").has_legacy_secret
    assert client(client_secret="s").has_legacy_secret
