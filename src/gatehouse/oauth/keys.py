"""RS256 signing keys: creation, rotation, publication and an in-process cache.

Keys live in the database so every process and machine signs and verifies with the same set.
Each process caches them: signing never loads a key per request, verification looks a kid up
in a dict, and an unknown kid (a key rotated by another process) triggers a reload. A new key
is published at once and signs only from its activation time (publish first, sign later). A
retired key stays published until every token it could have signed has expired; rows are
never deleted, so a kid is never reused.
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

from gatehouse.crypto_at_rest import SecretBox
from gatehouse.domain.audit import KEY_ROTATED, Actor, AuditEvent, actor_or_system
from gatehouse.domain.clock import Clock
from gatehouse.storage.audit import record
from gatehouse.storage.availability import is_unavailable
from gatehouse.storage.db import Database
from gatehouse.storage.locks import bootstrap_lock
from gatehouse.storage.queries import signing_keys
from gatehouse.storage.queries.signing_keys import StoredSigningKey
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


def _new_key(
    now: datetime, box: SecretBox, activates_at: datetime | None = None
) -> StoredSigningKey:
    private = rsa.generate_private_key(public_exponent=65537, key_size=RSA_KEY_BITS)
    kid = new_kid()
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return StoredSigningKey(
        kid=kid,
        algorithm=ALGORITHM,
        private_key_pem=box.encrypt(pem, purpose=signing_key_purpose(kid)),
        public_jwk=public_jwk(kid, private.public_key()),
        created_at=now,
        activates_at=activates_at,
    )


async def ensure_signing_key(db: Database, clock: Clock) -> None:
    """Create the first signing key if there is none that may sign. Under the bootstrap lock,
    so nodes starting at once on an empty database create one key, not one each."""
    async with db.write() as session:
        await bootstrap_lock(session)
        if not await signing_keys.has_unretired_key(session):
            signing_keys.add_key(session, _new_key(clock.now(), db.secret_box))


async def rotate_signing_key(
    db: Database,
    clock: Clock,
    max_token_lifetime: timedelta,
    actor: Actor | None = None,
    *,
    activation_delay: timedelta = timedelta(0),
) -> str:
    """Add a new signing key; returns its kid (``schedule_signing_key`` for the details)."""
    kid, _ = await schedule_signing_key(
        db, clock, max_token_lifetime, actor, activation_delay=activation_delay
    )
    return kid


async def schedule_signing_key(
    db: Database,
    clock: Clock,
    max_token_lifetime: timedelta,
    actor: Actor | None = None,
    *,
    activation_delay: timedelta,
) -> tuple[str, datetime]:
    """Publish a new key now and make it the signing key at ``now + activation_delay``,
    when the current one(s) retire; returns the kid and that moment.

    Publish first, sign later: with several processes, the delay (at least one key refresh
    interval) lets every process load the new key before any signs with it, so every JWKS
    answer already lists a kid before a token carries it. Retired keys stay published until
    ``max_token_lifetime`` after their retirement; private halves past that are wiped.
    """
    now = clock.now()
    activates = now + activation_delay
    async with db.write() as session:
        await signing_keys.retire_keys(session, activates, activates + max_token_lifetime, now)
        key = _new_key(now, db.secret_box, activates_at=activates)
        signing_keys.add_key(session, key)
        details = {"Kid": key.kid, "ActivatesAt": activates.isoformat()}
        event = AuditEvent(KEY_ROTATED, None, actor_or_system(actor), details=details)
        await record(session, event, now)
        return key.kid, activates


class KeyRing:
    """This process's view of the signing keys.

    Every published key is held with its private half (if it may still sign) and its signing
    window, so the switch to a scheduled key happens here at its activation time, with no
    query. The set is re-read every ``refresh_seconds`` (when signing or serving the JWKS) and
    whenever a token or ``/oauth/certs/{kid}`` names an unknown kid: such reloads are
    single-flight and at most one per ``MIN_RELOAD_SECONDS``; a request that arrives in
    between waits for the next reload instead of being refused.
    """

    def __init__(self, db: Database, clock: Clock, refresh_seconds: float) -> None:
        self._db = db
        self._clock = clock
        self._refresh_seconds = refresh_seconds
        self._published: dict[str, PublishedKey] = {}
        self._signers: list[_Signer] = []
        self._loaded_at = float("-inf")
        self._load_started = float("-inf")
        self._lock = asyncio.Lock()

    async def load(self) -> None:
        started = time.monotonic()
        now = self._clock.now()
        async with self._db.read() as session:
            rows = await signing_keys.published_keys(session, now)
        self._published = {row.kid: _published(row) for row in rows}
        self._signers = _signers(rows, now, self._db.secret_box)
        self._load_started = max(self._load_started, started)
        self._loaded_at = time.monotonic()

    @property
    def loaded(self) -> bool:
        """Whether this process holds a key to sign with (readiness)."""
        return self._current() is not None

    async def signing_key(self) -> SigningKey:
        """The key to sign with now; the set is re-read every ``refresh_seconds``."""
        if time.monotonic() - self._loaded_at > self._refresh_seconds or not self._signers:
            try:
                await self._reload_after(self._loaded_at + 1e-9)
            except Exception as exc:  # keep signing with what is held while the database is down
                if not is_unavailable(exc) or self._current() is None:
                    raise
                self._db.outage.report(exc)
        current = self._current()
        if current is None:
            raise RuntimeError("no signing key: run `gatehouse keys rotate`")
        return current

    async def public_key(self, kid: str) -> PublishedKey | None:
        """A published key by kid; an unknown kid is looked up in the database first."""
        key = self._published.get(kid)
        if key is None and 0 < len(kid) <= 64:
            await self._reload_after(time.monotonic())
            key = self._published.get(kid)
        return key

    def published(self) -> list[PublishedKey]:
        return list(self._published.values())

    def _current(self) -> SigningKey | None:
        now = self._clock.now()
        active = [s for s in self._signers if s.active_at(now)]
        if not active:
            return None
        return max(active, key=lambda s: s.since).key

    async def _reload_after(self, moment: float) -> None:
        """Return once a load that started at or after ``moment`` has finished: concurrent
        callers share one load, and loads start at most every ``MIN_RELOAD_SECONDS``."""
        async with self._lock:
            if self._load_started >= moment:
                return
            wait = self._load_started + MIN_RELOAD_SECONDS - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            await self.load()


@dataclass(frozen=True, slots=True)
class _Signer:
    key: SigningKey
    since: datetime
    until: datetime | None

    def active_at(self, now: datetime) -> bool:
        return self.since <= now and (self.until is None or now < self.until)


def _signers(rows: list[StoredSigningKey], now: datetime, box: SecretBox) -> list[_Signer]:
    """The keys that sign now or will (not retired yet), with their private halves."""
    signers = []
    for row in rows:
        if not row.private_key_pem or (row.retired_at is not None and row.retired_at <= now):
            continue
        pem = box.decrypt(row.private_key_pem, purpose=signing_key_purpose(row.kid))
        private = serialization.load_pem_private_key(pem.encode(), password=None)
        if not isinstance(private, rsa.RSAPrivateKey):
            raise TypeError("signing key is not RSA")
        since = row.activates_at or row.created_at
        signers.append(_Signer(SigningKey(row.kid, private), since, row.retired_at))
    return signers


def _published(row: StoredSigningKey) -> PublishedKey:
    jwk = dict(row.public_jwk)
    numbers = rsa.RSAPublicNumbers(e=_uint(jwk["e"]), n=_uint(jwk["n"]))
    return PublishedKey(kid=row.kid, jwk=jwk, public_key=numbers.public_key())


def _uint(b64: str) -> int:
    return int.from_bytes(base64.urlsafe_b64decode(b64 + "=" * (-len(b64) % 4)), "big")
