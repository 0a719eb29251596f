"""``gatehouse users reset-password``: an operator on the server machine sets a user's
password (a lost admin password; the bootstrap variables only act on an empty database).

The user's effective PasswordConfig applies, exactly as to an admin setting a password
through the API. The reset also clears the user's lockout: whoever lost their password has
usually locked themselves out trying, and the operator at the server is the last resort.
It does not revoke the user's tokens (``gatehouse users revoke-tokens`` does)."""

from __future__ import annotations

import secrets
import string
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from gatehouse.domain import audit
from gatehouse.domain.errors import NotFoundError
from gatehouse.domain.passwords import effective_config, meets_policy, policy_of
from gatehouse.domain.users import UserType
from gatehouse.services.users import hash_meeting_policy
from gatehouse.storage.audit import record
from gatehouse.storage.invalidation import invalidate, user_key
from gatehouse.storage.queries import users
from gatehouse.storage.queries.users import UserRow

if TYPE_CHECKING:  # the registry imports this module to build it
    from gatehouse.services.registry import ServiceDeps

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


class PasswordResetService:
    """``gatehouse users reset-password``, bound to the process's database, clock and hasher."""

    def __init__(self, deps: ServiceDeps) -> None:
        self._db = deps.db
        self._clock = deps.clock
        self._hasher = deps.hasher

    async def reset_password(self, marketplace_id: str, username: str, password: str | None) -> str:
        """Set (``password``) or generate a new password, clear the lockout; returns the
        password so the CLI can show a generated one once. Never logged or audited."""
        async with self._db.read() as session:
            row = await _require(session, marketplace_id, username)
            configs = await users.password_configs(
                session,
                marketplace_id=marketplace_id,
                user_type=UserType(row.user_type),
                company_id=row.company_id,
                row=row,
            )
        chosen = password if password is not None else generated_password(configs)
        password_hash = await hash_meeting_policy(self._hasher, configs, chosen)
        await self._store(marketplace_id, username, password_hash)
        return chosen

    async def _store(self, marketplace_id: str, username: str, password_hash: str) -> None:
        """Set the hash, clear the lockout, record the event: one transaction."""
        async with self._db.write() as session:
            row = await _require(session, marketplace_id, username)
            await users.set_password_hash(session, row, password_hash, self._clock.now())
            await users.clear_lockout(session, row)
            await invalidate(session, user_key(marketplace_id, row.id))
            event = audit.AuditEvent(
                audit.PASSWORD_RESET,
                marketplace_id,
                audit.CLI,
                user=audit.AuditUser(row.id, row.username, row.user_type),
                details={"UserID": row.external_id, "Unlocked": True},
            )
            await record(session, event, self._clock.now())


async def _require(session: AsyncSession, marketplace_id: str, username: str) -> UserRow:
    row = await users.find_by_username(session, marketplace_id=marketplace_id, username=username)
    if row is None:
        raise NotFoundError("User", username)
    return row
