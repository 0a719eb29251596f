"""The resource owner password grant (RFC 6749 §4.3; spec §3.2–3.5).

    POST /oauth/token
    Content-Type: application/x-www-form-urlencoded

    grant_type=password&client_id=…&username=…&password=…&scope=Shopper MeAdmin

The password is verified before anything about the user's access is decided, and an unknown
username costs the same argon2 verification as a wrong password, so neither the answer nor its
timing tells whether a user exists.

Lockout (spec §3.4): a wrong password for a known user is counted; reaching the allowed number
locks the user. The lock is reported (``Auth.LockedOut``) only to a caller who presented the
right password, so a wrong password always gets the same answer as an unknown user. A right
password clears the count. Then come the access decision and the password's standing under the
user's effective PasswordConfig: too weak for it now, or older than ``MaximumPasswordAge``.

Throttling (ASVS 2.2.1, Gatehouse's own): whatever the lockout policy, a username with
``failed_passwords_per_hour`` failures within the last hour gets 429
``Auth.TooManyFailedAttempts`` without its password being checked. Each attempt is counted
before the hash is verified (so concurrent guesses cannot overshoot) and withdrawn once the
password proves right; unknown usernames are counted alike.

When the client's ``RefreshTokenDuration`` is above 0 the response also carries a refresh
token (spec §3.8), stored in one short write after every check has passed.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from gatehouse.crypto import PasswordHasher
from gatehouse.domain.lockout import lockout_policy
from gatehouse.domain.passwords import meets_policy, password_expired, policy_of
from gatehouse.oauth.errors import (
    InvalidGrantError,
    InvalidRequestError,
    invalid_credentials,
    too_many_failed_attempts,
)
from gatehouse.oauth.grants.base import (
    GrantContext,
    authenticate_client,
    check_access,
    issue_access_token,
    note_user,
    token_roles,
)
from gatehouse.oauth.grants.refresh_token import issue_refresh_token
from gatehouse.oauth.server import TokenRequest, TokenResponse
from gatehouse.oauth.store import ClientRecord, LoginRecord, TokenStore
from gatehouse.ratelimit.limiter import RateLimiter

INSECURE_PASSWORD = "Password does not meet security requirements."


class PasswordGrant:
    grant_type = "password"

    def __init__(
        self,
        store: TokenStore,
        hasher: PasswordHasher,
        ctx: GrantContext,
        limiter: RateLimiter | None = None,
    ) -> None:
        self._store = store
        self._hasher = hasher
        self._ctx = ctx
        self._limiter = limiter

    async def issue(self, request: TokenRequest) -> TokenResponse:
        if not request.username or not request.password:
            raise InvalidRequestError(
                "Auth.UsernameAndPasswordRequired", "Username and password are required."
            )
        async with self._store.session() as session:
            record = await authenticate_client(session, request, self._ctx.clock.now())
            login = await session.find_login(record.marketplace_id, request.username)
        reservation = None
        if self._limiter is not None:
            wait, reservation = await self._limiter.begin_password_attempt(
                record.marketplace_id, request.username
            )
            if wait is not None:
                raise too_many_failed_attempts(wait)
        # Hash verification (~20 ms of CPU in a worker thread) holds no database connection.
        verified = await self._hasher.verify(
            login.password_hash if login else None, request.password
        )
        if login is not None:
            note_user(login.identity)
        if login is None or not verified:
            await self._count_failure(record, request.username, login)
            raise invalid_credentials()
        if self._limiter is not None:
            await self._limiter.password_verified(reservation)
        await self._pass_lockout(login)
        async with self._store.session() as session:
            await check_access(session, record, login.identity)
            available = await session.available_roles(
                record.marketplace_id, login.identity.internal_id
            )
        check_password_standing(login, request.password, self._ctx.clock.now())
        roles = token_roles(record.client, available, request.scope)
        response = await issue_access_token(self._ctx, record.client, login.identity, roles)
        refresh = await issue_refresh_token(
            self._store, record, login.identity, roles, self._ctx.clock.now()
        )
        return replace(response, refresh_token=refresh)

    async def _count_failure(
        self, record: ClientRecord, username: str, login: LoginRecord | None
    ) -> None:
        """An unknown user has nothing to count (and never learns of any lock), but costs the
        same write on a stand-in row, so the time of the answer does not tell it apart."""
        if login is None:
            await self._store.record_unknown_failure(
                record.marketplace_id, username, self._ctx.clock.now()
            )
            return
        policy = lockout_policy(login.password_config)
        await self._store.record_failed_login(
            login.identity.internal_id, policy, self._ctx.clock.now(), client_id=record.client.id
        )

    async def _pass_lockout(self, login: LoginRecord) -> None:
        """Refuse a locked user; clear the count after a right password. A user with nothing
        to clear costs no write: most logins stay read-only."""
        if login.lock.is_clean:
            return
        now = self._ctx.clock.now()
        if not await self._store.reset_failed_logins(login.identity.internal_id, now):
            raise InvalidGrantError("Auth.LockedOut", "User is locked out.")


def check_password_standing(login: LoginRecord, password: str, now: datetime) -> None:
    """The verified password must still meet the user's effective PasswordConfig (which may
    have grown stricter since it was set) and must not be older than its maximum age."""
    config = login.password_config
    if not meets_policy(password, policy_of(config)):
        raise InvalidGrantError(
            "PasswordReset.InsecurePassword", INSECURE_PASSWORD, config.as_data()
        )
    if password_expired(login.password_last_set, now, config):
        raise InvalidGrantError("Auth.PasswordExpired", "Password has expired.")
