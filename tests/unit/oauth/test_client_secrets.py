"""``secret_matches``: the legacy secret, named secrets and their expiry (decisions.md
"Secrets"), without a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from gatehouse.crypto import sha256_hex
from gatehouse.domain.api_client_secrets import (
    NamedSecretHash,
    check_expiration,
    check_room_for_one_more,
    generate_secret_value,
)
from gatehouse.domain.api_clients import ApiClient
from gatehouse.domain.errors import InvalidInputError
from gatehouse.oauth.grants.base import secret_matches
from gatehouse.oauth.store import ClientRecord

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def record(legacy: str | None = None, *named: tuple[str, datetime | None]) -> ClientRecord:
    client = ApiClient(id="c", app_name="A", access_token_duration=60, client_secret=legacy)
    hashes = tuple(NamedSecretHash(sha256_hex(value), exp) for value, exp in named)
    return ClientRecord("m", True, client, hashes)


def test_a_client_without_secrets_accepts_anything() -> None:
    assert secret_matches(record(), None, NOW)
    assert secret_matches(record(""), "whatever", NOW)


def test_named_secrets_and_their_expiry() -> None:
    later, earlier = NOW + timedelta(seconds=1), NOW - timedelta(seconds=1)
    rec = record(None, ("live", later), ("forever", None), ("dead", earlier), ("edge", NOW))
    assert secret_matches(rec, "live", NOW)
    assert secret_matches(rec, "forever", NOW)
    for presented in ("dead", "edge", "", None, "other"):
        assert not secret_matches(rec, presented, NOW)


def test_only_expired_named_secrets_still_require_one() -> None:
    rec = record(None, ("dead", NOW - timedelta(days=1)))
    assert rec.has_secret
    assert not secret_matches(rec, None, NOW)


def test_legacy_and_named_coexist() -> None:
    rec = record("legacy", ("named", None))
    assert secret_matches(rec, "legacy", NOW)
    assert secret_matches(rec, "named", NOW)
    assert not secret_matches(rec, sha256_hex("named"), NOW)


def test_generated_values_are_long_and_distinct() -> None:
    values = {generate_secret_value() for _ in range(100)}
    assert len(values) == 100
    assert all(len(v) == 86 for v in values)


def test_expiration_and_limit_rules() -> None:
    check_expiration(None, NOW)
    check_expiration(NOW + timedelta(seconds=1), NOW)
    with pytest.raises(InvalidInputError, match="InvalidExpirationDate"):
        check_expiration(NOW, NOW)
    check_room_for_one_more(9)
    with pytest.raises(InvalidInputError, match="MaximumClientSecretsReached"):
        check_room_for_one_more(10)
