"""``storage.queries.signing_keys`` on the session's backend: a key round-trips through its
row, and a key whose publication has ended is no longer read (``oauth.keys`` never sees it).
The key written here is retired and unpublished already, so no other test can meet it."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

import pytest

from gatehouse.runtime import Runtime
from gatehouse.storage.queries import signing_keys
from gatehouse.storage.queries.signing_keys import StoredSigningKey

pytestmark = pytest.mark.asyncio
CREATED = datetime(2020, 1, 1, 12, 0, tzinfo=UTC)


def expired_key() -> StoredSigningKey:
    return StoredSigningKey(
        kid=f"test-{secrets.token_hex(6)}",
        algorithm="RS256",
        private_key_pem=None,
        public_jwk={"kty": "RSA", "n": "AQAB", "e": "AQAB", "alg": "RS256", "use": "sig"},
        created_at=CREATED,
        retired_at=CREATED + timedelta(days=1),
        publish_until=CREATED + timedelta(days=2),
        activates_at=CREATED + timedelta(hours=1),
    )


async def test_a_key_round_trips_until_its_publication_ends(runtime: Runtime) -> None:
    key = expired_key()
    async with runtime.db.write() as session:
        signing_keys.add_key(session, key)
    async with runtime.db.read() as session:
        while_published = await signing_keys.published_keys(session, CREATED + timedelta(days=1))
        after = await signing_keys.published_keys(session, CREATED + timedelta(days=3))
        assert await signing_keys.has_unretired_key(session)  # the runtime's own key
    assert [k for k in while_published if k.kid == key.kid] == [key]
    assert key.kid not in {k.kid for k in after}
