"""RS256 signing keys: creation, rotation, publication and an in-process cache.

Keys live in the database so every process and machine signs and verifies with the same set.
Each process caches them: signing never loads a key per request, verification looks a kid up
in a dict, and an unknown kid (a key rotated by another process) triggers at most one reload
per ``MIN_RELOAD_SECONDS``. A retired key stays published until every token it could have
signed has expired; rows are never deleted, so a kid is never reused.
"""

from __future__ import annotations

import asyncio
import base64
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import or_, select, update

from gatehouse.crypto_at_rest import SecretBox
from gatehouse.domain.audit import KEY_ROTATED, Actor, AuditEvent, actor_or_system
from gatehouse.domain.clock import Clock
from gatehouse.storage.audit import record
from gatehouse.storage.db import Database
from gatehouse.storage.models import SigningKeyRow
from gatehouse.storage.sealing import signing_key_purpose

ALGORITHM = "RS256"
RSA_KEY_BITS = 2048
MIN_RELOAD_SECONDS = 1.0


@dataclass(frozen=True, slots=True)
class PublishedKey:
    kid: str
    jwk: dict[str, Any]
    public_key: rsa.RSAPublicKey


@dataclass(frozen=True, slots=True)
class SigningKey:
    kid: str
    private_key: rsa.RSAPrivateKey


def _b64url_uint(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def public_jwk(kid: str, key: rsa.RSAPublicKey) -> dict[str, Any]:
    """The OrderCloud ``PublicKey`` model: ``{kty, n, e, alg, use, kid}``, base64url."""
    numbers = key.public_numbers()
    return {
        "kty": "RSA",
        "n": _b64url_uint(numbers.n),
        "e": _b64url_uint(numbers.e),
        "alg": ALGORITHM,
        "use": "sig",
        "kid": kid,
    }


def new_kid() -> str:
    """A random 22-character base64url kid, like OrderCloud's (``x6sA-GfTGEWUp5OWFbhmmg``)."""
    return base64.urlsafe_b64encode(secrets.token_bytes(16)).rstrip(b"=").decode()


def _new_key_row(now: datetime, box: SecretBox) -> SigningKeyRow:
    private = rsa.generate_private_key(public_exponent=65537, key_size=RSA_KEY_BITS)
    kid = new_kid()
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return SigningKeyRow(
        kid=kid,
        algorithm=ALGORITHM,
        private_key_pem=box.encrypt(pem, purpose=signing_key_purpose(kid)),
        public_jwk=public_jwk(kid, private.public_key()),
        created_at=now,
    )


async def ensure_signing_key(db: Database, clock: Clock) -> None:
    """Create the first signing key if there is none that may sign."""
    async with db.write() as session:
        current = await session.scalar(
            select(SigningKeyRow.kid).where(SigningKeyRow.retired_at.is_(None)).limit(1)
        )
        if current is None:
            session.add(_new_key_row(clock.now(), db.secret_box))


async def rotate_signing_key(
    db: Database, clock: Clock, max_token_lifetime: timedelta, actor: Actor | None = None
) -> str:
    """Add a new signing key and retire the current one(s); returns the new kid.

    Retired keys stay published until ``max_token_lifetime`` has passed, and the private halves
    of keys past that point are wiped (the public half and the kid row remain).
    """
    now = clock.now()
    async with db.write() as session:
        await session.execute(
            update(SigningKeyRow)
            .where(SigningKeyRow.retired_at.is_(None))
            .values(retired_at=now, publish_until=now + max_token_lifetime)
        )
        await session.execute(
            update(SigningKeyRow)
            .where(SigningKeyRow.publish_until < now)
            .values(private_key_pem=None)
        )
        row = _new_key_row(now, db.secret_box)
        session.add(row)
        event = AuditEvent(KEY_ROTATED, None, actor_or_system(actor), details={"Kid": row.kid})
        await record(session, event, now)
        return row.kid


class KeyRing:
    """This process's view of the signing keys."""

    def __init__(self, db: Database, clock: Clock, refresh_seconds: float) -> None:
        self._db = db
        self._clock = clock
        self._refresh_seconds = refresh_seconds
        self._published: dict[str, PublishedKey] = {}
        self._signing: SigningKey | None = None
        self._loaded_at = float("-inf")
        self._lock = asyncio.Lock()

    async def load(self) -> None:
        now = self._clock.now()
        async with self._db.read() as session:
            rows = (
                await session.scalars(
                    select(SigningKeyRow).where(
                        or_(
                            SigningKeyRow.publish_until.is_(None), SigningKeyRow.publish_until > now
                        )
                    )
                )
            ).all()
        self._published = {row.kid: _published(row) for row in rows}
        self._signing = _newest_signer(rows, self._db.secret_box)
        self._loaded_at = time.monotonic()

    async def signing_key(self) -> SigningKey:
        """The key to sign with; re-read from the database every ``refresh_seconds``."""
        if time.monotonic() - self._loaded_at > self._refresh_seconds or self._signing is None:
            await self._reload(min_age=0.0)
        if self._signing is None:
            raise RuntimeError("no signing key: run `gatehouse keys rotate`")
        return self._signing

    async def public_key(self, kid: str) -> PublishedKey | None:
        """A published key by kid; an unknown kid causes at most one reload per second."""
        key = self._published.get(kid)
        if key is None and len(kid) <= 64:
            await self._reload(min_age=MIN_RELOAD_SECONDS)
            key = self._published.get(kid)
        return key

    @property
    def loaded(self) -> bool:
        """Whether this process holds a key to sign with (readiness)."""
        return self._signing is not None

    def published(self) -> list[PublishedKey]:
        return list(self._published.values())

    async def _reload(self, min_age: float) -> None:
        async with self._lock:
            if time.monotonic() - self._loaded_at >= min_age:
                await self.load()


def _published(row: SigningKeyRow) -> PublishedKey:
    jwk = dict(row.public_jwk)
    numbers = rsa.RSAPublicNumbers(e=_uint(jwk["e"]), n=_uint(jwk["n"]))
    return PublishedKey(kid=row.kid, jwk=jwk, public_key=numbers.public_key())


def _uint(b64: str) -> int:
    return int.from_bytes(base64.urlsafe_b64decode(b64 + "=" * (-len(b64) % 4)), "big")


def _newest_signer(rows: Any, box: SecretBox) -> SigningKey | None:
    candidates = [row for row in rows if row.retired_at is None and row.private_key_pem]
    if not candidates:
        return None
    newest = max(candidates, key=lambda row: row.created_at)
    pem = box.decrypt(newest.private_key_pem, purpose=signing_key_purpose(newest.kid))
    private = serialization.load_pem_private_key(pem.encode(), password=None)
    if not isinstance(private, rsa.RSAPrivateKey):
        raise TypeError("signing key is not RSA")
    return SigningKey(kid=newest.kid, private_key=private)
