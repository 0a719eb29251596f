"""Creating a marketplace with what decisions.md's "Marketplace bootstrap" requires: a
FullAccess profile assigned to the bootstrap admin user only (not at seller level, which
would give every admin user created later FullAccess), that admin user, a default API
client whose AccessTokenDuration passes Gatehouse's own configuration review, and the admin
console's own public client (``services.console``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from gatehouse.crypto import PasswordHasher, generate_password
from gatehouse.domain.api_clients import ApiClient
from gatehouse.domain.clock import Clock
from gatehouse.domain.errors import InvalidInputError
from gatehouse.domain.ids import new_client_id, new_object_id
from gatehouse.domain.passwords import DEFAULT_POLICY, meets_policy
from gatehouse.domain.roles import ApiRole
from gatehouse.domain.security_profiles import ProfileAssignment, SecurityProfile
from gatehouse.domain.users import User, UserType
from gatehouse.services.console import add_console_client
from gatehouse.storage.db import Database
from gatehouse.storage.locks import bootstrap_lock
from gatehouse.storage.queries import api_clients, marketplaces, security_profiles, users

DEFAULT_ADMIN_USERNAME = "admin"
DEFAULT_CLIENT_APP_NAME = "Default Admin Client (created with the marketplace)"
FULL_ACCESS_PROFILE_ID = "FullAccess"
DEFAULT_CLIENT_ACCESS_TOKEN_MINUTES = 60
"""Short enough for the review's default threshold (GATEHOUSE_REVIEW_ACCESS_TOKEN_MINUTES)."""


@dataclass(frozen=True, slots=True)
class MarketplaceCredentials:
    """Shown to the operator once; the password is never stored in clear or logged."""

    marketplace_id: str
    api_client_id: str
    username: str
    password: str

    def as_json(self) -> dict[str, str]:
        return {
            "MarketplaceID": self.marketplace_id,
            "ApiClientID": self.api_client_id,
            "Username": self.username,
            "Password": self.password,
        }


async def create_marketplace(
    db: Database,
    hasher: PasswordHasher,
    clock: Clock,
    *,
    name: str,
    admin_username: str | None = None,
    admin_password: str | None = None,
) -> MarketplaceCredentials:
    created = await _create(db, hasher, clock, name, admin_username, admin_password, False)
    assert created is not None  # only ``only_if_none`` creates nothing
    return created


async def bootstrap_if_empty(
    db: Database,
    hasher: PasswordHasher,
    clock: Clock,
    *,
    admin_username: str | None,
    admin_password: str | None,
) -> MarketplaceCredentials | None:
    """On first start against an empty database, create one marketplace; else do nothing.

    The final check and the creation are one transaction under the bootstrap lock: nodes
    starting at once on an empty database create one marketplace between them."""
    async with db.read() as session:
        if await marketplaces.any_exists(session):
            return None
    return await _create(
        db, hasher, clock, "Default Marketplace", admin_username, admin_password, True
    )


async def _create(
    db: Database,
    hasher: PasswordHasher,
    clock: Clock,
    name: str,
    admin_username: str | None,
    admin_password: str | None,
    only_if_none: bool,
) -> MarketplaceCredentials | None:
    username = admin_username or DEFAULT_ADMIN_USERNAME
    password = admin_password or generate_password()
    if not meets_policy(password):
        raise InvalidInputError(
            "PasswordReset.InsecurePassword",
            "Password does not meet security requirements.",
            DEFAULT_POLICY.as_data(),
        )
    if not name.strip() or len(name) > 200:
        raise InvalidInputError(message="Marketplace name must be 1 to 200 characters.")
    password_hash = await hasher.hash(password)
    credentials = MarketplaceCredentials(new_object_id(), new_client_id(), username, password)
    async with db.write() as session:
        if only_if_none:
            await bootstrap_lock(session)
            if await marketplaces.any_exists(session):
                return None
        await _insert(session, credentials, name, password_hash, clock.now())
    return credentials


async def _insert(
    session: AsyncSession,
    credentials: MarketplaceCredentials,
    name: str,
    password_hash: str,
    now: datetime,
) -> None:
    marketplace_id = credentials.marketplace_id
    await marketplaces.insert(session, marketplace_id=marketplace_id, name=name, now=now)
    await security_profiles.insert(
        session,
        marketplace_id=marketplace_id,
        profile=SecurityProfile(FULL_ACCESS_PROFILE_ID, "Full Access", [ApiRole.FullAccess], []),
        now=now,
    )
    admin = User(
        id=new_object_id(), username=credentials.username, user_type=UserType.ADMIN, active=True
    )
    await users.insert(
        session, marketplace_id=marketplace_id, user=admin, password_hash=password_hash, now=now
    )
    await security_profiles.save_assignment(
        session,
        marketplace_id=marketplace_id,
        assignment=ProfileAssignment(security_profile_id=FULL_ACCESS_PROFILE_ID, user_id=admin.id),
    )
    client = ApiClient(
        id=credentials.api_client_id,
        app_name=DEFAULT_CLIENT_APP_NAME,
        access_token_duration=DEFAULT_CLIENT_ACCESS_TOKEN_MINUTES,
        allow_seller=True,
        active=True,
    )
    await api_clients.insert(session, marketplace_id=marketplace_id, client=client, now=now)
    await add_console_client(
        session, marketplace_id=marketplace_id, client_id=new_client_id(), now=now
    )
