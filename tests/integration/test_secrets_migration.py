"""Migration 0010 on a database holding plain secrets (as every install before it does): the
migration marks them ``plain:``, the server's start encrypts them, they still work, and a
downgrade gives the previous release its plain values back."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import insert, text

from gatehouse.domain.clock import SystemClock
from gatehouse.oauth.keys import KeyRing, public_jwk
from gatehouse.settings import Settings
from gatehouse.storage import migrate
from gatehouse.storage.db import Database
from gatehouse.storage.models import ApiClientRow, Marketplace, SigningKeyRow
from gatehouse.storage.queries import api_clients
from gatehouse.storage.sealing import prepare_secrets

pytestmark = pytest.mark.asyncio
SECRET = "a-legacy-secret-from-before-0010"


def _pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


async def _values(db: Database) -> list[str]:
    async with db.read() as session:
        rows = await session.execute(
            text(
                "SELECT private_key_pem FROM signing_keys UNION ALL "
                # (migration 0015 adds a secret-less console client to every marketplace)
                "SELECT client_secret FROM api_clients WHERE client_secret IS NOT NULL"
            )
        )
        return sorted(str(v) for (v,) in rows.all())


async def test_existing_plain_secrets_are_encrypted_and_keep_working(
    fresh_database_url: str,
) -> None:
    url = Settings(database_url=fresh_database_url).effective_database_url
    await migrate.upgrade(url, "0009")
    db = Database(url)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = datetime.now(UTC)
    try:
        async with db.write() as session:
            session.add(Marketplace(id="m0010", name="M", active=True, created_at=now))
            await session.flush()
            await session.execute(  # the columns of revision 0009 only
                insert(SigningKeyRow).values(
                    kid="kid0010", algorithm="RS256", private_key_pem=_pem(key),
                    public_jwk=public_jwk("kid0010", key.public_key()), created_at=now,
                )
            )  # fmt: skip
            session.add(
                ApiClientRow(
                    id="c0010", marketplace_id="m0010", app_name="A", client_secret=SECRET,
                    access_token_duration=60, created_at=now,
                )
            )  # fmt: skip
        plain = await _values(db)
        await migrate.upgrade(url)
        assert await _values(db) == sorted("plain:" + v for v in plain)

        await prepare_secrets(db)  # what every start does
        stored = await _values(db)
        assert all(v.startswith("enc:v1:") and SECRET not in v for v in stored)
        async with db.read() as session:
            found = await api_clients.get(session, marketplace_id="m0010", client_id="c0010")
        assert found is not None and found.client_secret == SECRET
        ring = KeyRing(db, SystemClock(), 30)
        await ring.load()
        signer = await ring.signing_key()
        assert signer.kid == "kid0010"
        assert signer.private_key.private_numbers() == key.private_numbers()

        await migrate.downgrade(url, "0009")
        assert await _values(db) == plain
    finally:
        await db.dispose()
