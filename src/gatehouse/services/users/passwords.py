"""A new password must meet the effective PasswordConfig of the security profiles reaching
the user; it is then hashed (argon2id), outside any transaction so hashing never holds the
write lock, and never returned."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gatehouse.crypto import PasswordHasher
from gatehouse.domain.errors import InvalidInputError
from gatehouse.domain.passwords import effective_config, meets_policy, policy_of
from gatehouse.services.users import lookups
from gatehouse.services.users.fields import UserScope
from gatehouse.storage.db import Database
from gatehouse.storage.queries import users


async def hash_meeting_policy(hasher: PasswordHasher, configs: Sequence[Any], password: str) -> str:
    """Hash ``password`` once it meets the effective policy of ``configs`` (the PasswordConfigs
    of the profiles reaching the user), else 400 ``PasswordReset.InsecurePassword``."""
    config = effective_config(configs)
    if not meets_policy(password, policy_of(config)):
        raise InvalidInputError(
            "PasswordReset.InsecurePassword",
            "Password does not meet security requirements.",
            config.as_data(),
        )
    return await hasher.hash(password)


async def checked_hash(
    db: Database,
    hasher: PasswordHasher,
    marketplace_id: str,
    scope: UserScope,
    user_id: str | None,
    password: str | None,
) -> str | None:
    """Check ``password`` against the effective PasswordConfig of the profiles reaching user
    ``user_id`` (``None``: a new user, reached only at company and seller level), then hash it.
    Unknown companies and users are refused first, so they cost no hashing."""
    if password is None:
        return None
    async with db.read() as session:
        await lookups.require_company(session, marketplace_id, scope)
        row = await lookups.require(session, marketplace_id, scope, user_id) if user_id else None
        configs = await users.password_configs(
            session,
            marketplace_id=marketplace_id,
            user_type=scope.user_type,
            company_id=scope.company_id,
            row=row,
        )
    return await hash_meeting_policy(hasher, configs, password)
