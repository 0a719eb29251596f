"""``gatehouse users reset-password``: an operator on the server machine sets a user's
password (a lost admin password; the bootstrap variables only act on an empty database).

The user's effective PasswordConfig applies, exactly as to an admin setting a password
through the API. The reset also clears the user's lockout: whoever lost their password has
usually locked themselves out trying, and the operator at the server is the last resort.
It does not revoke the user's tokens (``gatehouse users revoke-tokens`` does)."""

from __future__ import annotations

import secrets
import string

from gatehouse.crypto import PasswordHasher
from gatehouse.domain import audit
from gatehouse.domain.clock import Clock
from gatehouse.domain.errors import NotFoundError
from gatehouse.domain.passwords import effective_config, meets_policy, policy_of
from gatehouse.domain.users import UserType
from gatehouse.services.users import hash_meeting_policy
from gatehouse.storage.audit import record
from gatehouse.storage.db import Database
from gatehouse.storage.invalidation import invalidate, user_key
from gatehouse.storage.queries import users

GENERATED_LENGTH = 24
_ALPHABET = string.ascii_letters + string.digits + "!#%*+-=?@^_~"


def generated_password(configs: list[object]) -> str:
    """A random password meeting the effective policy of ``configs``."""
    policy = policy_of(effective_config(configs))
    length = max(GENERATED_LENGTH, policy.minimum_length)
    while True:
        candidate = "".join(secrets.choice(_ALPHABET) for _ in range(length))
        if meets_policy(candidate, policy):
            return candidate


async def reset_password(
    db: Database,
    hasher: PasswordHasher,
    clock: Clock,
    marketplace_id: str,
    username: str,
    password: str | None,
) -> str:
    """Set (``password``) or generate a new password, clear the lockout; returns the
    password so the CLI can show a generated one once. Never logged or audited."""
    async with db.read() as session:
        row = await users.find_by_username(
            session, marketplace_id=marketplace_id, username=username
        )
        if row is None:
            raise NotFoundError("User", username)
        configs = await users.password_configs(
            session,
            marketplace_id=marketplace_id,
            user_type=UserType(row.user_type),
            company_id=row.company_id,
            row=row,
        )
    chosen = password if password is not None else generated_password(configs)
    password_hash = await hash_meeting_policy(hasher, configs, chosen)
    await _store(db, clock, marketplace_id, username, password_hash)
    return chosen


async def _store(
    db: Database, clock: Clock, marketplace_id: str, username: str, password_hash: str
) -> None:
    """Set the hash, clear the lockout, record the event: one transaction."""
    async with db.write() as session:
        row = await users.find_by_username(
            session, marketplace_id=marketplace_id, username=username
        )
        if row is None:
            raise NotFoundError("User", username)
        row.password_hash = password_hash
        row.password_last_set = clock.now()
        row.failed_login_attempts = 0
        row.locked_until = None
        await session.flush()
        await invalidate(session, user_key(marketplace_id, row.id))
        event = audit.AuditEvent(
            audit.PASSWORD_RESET,
            marketplace_id,
            audit.CLI,
            user=audit.AuditUser(row.id, row.username, row.user_type),
            details={"UserID": row.external_id, "Unlocked": True},
        )
        await record(session, event, clock.now())
