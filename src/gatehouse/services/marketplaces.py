"""Creating a marketplace with what decisions.md's "Marketplace bootstrap" requires: a
FullAccess profile assigned to the bootstrap admin user only (not at seller level, which
would give every admin user created later FullAccess), that admin user, and a default API
client whose AccessTokenDuration passes Gatehouse's own configuration review."""

from __future__ import annotations

from dataclasses import dataclass

from gatehouse.crypto import PasswordHasher, generate_password
from gatehouse.domain.api_clients import ApiClient
from gatehouse.domain.clock import Clock
from gatehouse.domain.errors import InvalidInputError
from gatehouse.domain.ids import new_client_id, new_object_id
from gatehouse.domain.passwords import DEFAULT_POLICY, meets_policy
from gatehouse.domain.roles import ApiRole
from gatehouse.domain.security_profiles import ProfileAssignment, SecurityProfile
from gatehouse.domain.users import User, UserType
from gatehouse.storage.db import Database
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
    marketplace_id, client_id, now = new_object_id(), new_client_id(), clock.now()
    async with db.write() as session:
        await marketplaces.insert(session, marketplace_id=marketplace_id, name=name, now=now)
        await security_profiles.insert(
            session,
            marketplace_id=marketplace_id,
            profile=SecurityProfile(
                FULL_ACCESS_PROFILE_ID, "Full Access", [ApiRole.FullAccess], []
            ),
            now=now,
        )
        admin = User(id=new_object_id(), username=username, user_type=UserType.ADMIN, active=True)
        await users.insert(
            session, marketplace_id=marketplace_id, user=admin, password_hash=password_hash, now=now
        )
        await security_profiles.save_assignment(
            session,
            marketplace_id=marketplace_id,
            assignment=ProfileAssignment(
                security_profile_id=FULL_ACCESS_PROFILE_ID, user_id=admin.id
            ),
        )
        client = ApiClient(
            id=client_id,
            app_name=DEFAULT_CLIENT_APP_NAME,
            access_token_duration=DEFAULT_CLIENT_ACCESS_TOKEN_MINUTES,
            allow_seller=True,
            active=True,
        )
        await api_clients.insert(session, marketplace_id=marketplace_id, client=client, now=now)
    return MarketplaceCredentials(marketplace_id, client_id, username, password)


async def bootstrap_if_empty(
    db: Database,
    hasher: PasswordHasher,
    clock: Clock,
    *,
    admin_username: str | None,
    admin_password: str | None,
) -> MarketplaceCredentials | None:
    """On first start against an empty database, create one marketplace; else do nothing."""
    async with db.read() as session:
        if await marketplaces.any_exists(session):
            return None
    return await create_marketplace(
        db,
        hasher,
        clock,
        name="Default Marketplace",
        admin_username=admin_username,
        admin_password=admin_password,
    )
