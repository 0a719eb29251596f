"""ImpersonationConfig use cases (spec §3.10, §2.3): CRUD with reference and conflict checks,
and the reference checks other resources run before they delete what a config names."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from gatehouse.domain.errors import ConflictError, IdExistsError, NotFoundError
from gatehouse.domain.ids import new_object_id
from gatehouse.domain.impersonation import (
    OBJECT_TYPE,
    PARTY_FIELDS,
    ImpersonationConfig,
    build_config,
    conflict_error,
    conflicting,
)
from gatehouse.domain.listing import ListQuery
from gatehouse.domain.users import UserType
from gatehouse.storage.queries import (
    api_clients,
    companies,
    impersonation_configs,
    security_profiles,
    user_groups,
    users,
)
from gatehouse.storage.queries.impersonation_configs import Reference
from gatehouse.storage.queries.marketplaces import lock_marketplace
from gatehouse.storage.queries.user_groups import GroupOwner

if TYPE_CHECKING:
    from gatehouse.services.registry import ServiceDeps


class ImpersonationConfigService:
    """ImpersonationConfig CRUD. The reference checks other resources' deletes run stay module
    functions below: they join the caller's transaction rather than open their own."""

    def __init__(self, deps: ServiceDeps) -> None:
        self._db = deps.db
        self._clock = deps.clock

    async def get(self, marketplace_id: str, config_id: str) -> ImpersonationConfig:
        async with self._db.read() as session:
            return await _require(session, marketplace_id, config_id)

    async def list_page(
        self, marketplace_id: str, query: ListQuery
    ) -> tuple[list[ImpersonationConfig], int]:
        async with self._db.read() as session:
            return await impersonation_configs.list_page(
                session, marketplace_id=marketplace_id, query=query
            )

    async def create(self, marketplace_id: str, fields: dict[str, Any]) -> ImpersonationConfig:
        config = build_config(fields.get("id") or new_object_id(), fields)
        async with self._db.write() as session:
            await lock_marketplace(session, marketplace_id)
            if await impersonation_configs.get(
                session, marketplace_id=marketplace_id, config_id=config.id
            ):
                raise IdExistsError(OBJECT_TYPE, config.id)
            await _check(session, marketplace_id, config)
            await impersonation_configs.insert(
                session, marketplace_id=marketplace_id, config=config, now=self._clock.now()
            )
            return config

    async def replace(
        self, marketplace_id: str, config_id: str, fields: dict[str, Any]
    ) -> ImpersonationConfig:
        """PUT creates at that ID when new, else replaces every field (an ID in the body renames,
        as for security profiles)."""
        async with self._db.write() as session:
            await lock_marketplace(session, marketplace_id)
            current = await impersonation_configs.get(
                session, marketplace_id=marketplace_id, config_id=config_id
            )
            if current is None:
                config = build_config(config_id, fields)
                await _check(session, marketplace_id, config)
                await impersonation_configs.insert(
                    session, marketplace_id=marketplace_id, config=config, now=self._clock.now()
                )
                return config
            config = build_config(fields.get("id") or config_id, fields)
            await _save(session, marketplace_id, current.id, config)
            return config

    async def patch(
        self, marketplace_id: str, config_id: str, changes: dict[str, Any]
    ) -> ImpersonationConfig:
        """Only the sent fields change; a null party ID clears it (back to "any")."""
        async with self._db.write() as session:
            await lock_marketplace(session, marketplace_id)
            current = await _require(session, marketplace_id, config_id)
            merged: dict[str, Any] = {
                "name": current.name,
                "security_profile_id": current.security_profile_id,
                "client_id": current.client_id,
                **{name: getattr(current, name) for name, _ in PARTY_FIELDS},
            }
            merged.update(changes)
            config = build_config(changes.get("id") or current.id, merged)
            await _save(session, marketplace_id, current.id, config)
            return config

    async def delete(self, marketplace_id: str, config_id: str) -> None:
        async with self._db.write() as session:
            if not await impersonation_configs.delete_config(
                session, marketplace_id=marketplace_id, config_id=config_id
            ):
                raise NotFoundError(OBJECT_TYPE, config_id)


async def _save(
    session: AsyncSession, marketplace_id: str, current_id: str, config: ImpersonationConfig
) -> None:
    if config.id != current_id and await impersonation_configs.get(
        session, marketplace_id=marketplace_id, config_id=config.id
    ):
        raise IdExistsError(OBJECT_TYPE, config.id)
    await _check(session, marketplace_id, config, current_id=current_id)
    await impersonation_configs.replace(
        session, marketplace_id=marketplace_id, current_id=current_id, config=config
    )


async def _check(
    session: AsyncSession,
    marketplace_id: str,
    config: ImpersonationConfig,
    *,
    current_id: str | None = None,
) -> None:
    """Every referenced object exists (404 naming it), and no other config has the same
    client, profile, impersonator and impersonatee (409)."""
    if not await security_profiles.get(
        session, marketplace_id=marketplace_id, profile_id=config.security_profile_id
    ):
        raise NotFoundError("SecurityProfile", config.security_profile_id)
    if not await api_clients.get(
        session, marketplace_id=marketplace_id, client_id=config.client_id
    ):
        raise NotFoundError("ApiClient", config.client_id)
    await _require_side(
        session,
        marketplace_id,
        config.impersonation_buyer_id,
        config.impersonation_group_id,
        config.impersonation_user_id,
    )
    await _require_side(session, marketplace_id, config.buyer_id, config.group_id, config.user_id)
    others = await impersonation_configs.for_client(
        session, marketplace_id=marketplace_id, client_id=config.client_id
    )
    existing = conflicting(config, [o for o in others if o.id != current_id])
    if existing is not None:
        raise conflict_error(existing)


async def _require_side(
    session: AsyncSession,
    marketplace_id: str,
    buyer_id: str | None,
    group_id: str | None,
    user_id: str | None,
) -> None:
    """A side's buyer, and its group or user within that buyer (or, without a buyer, the
    seller's admin group or admin user)."""
    if buyer_id and not await companies.buyer_exists(
        session, marketplace_id=marketplace_id, buyer_id=buyer_id
    ):
        raise NotFoundError("Buyer", buyer_id)
    owner = GroupOwner(UserType.BUYER, buyer_id) if buyer_id else GroupOwner(UserType.ADMIN)
    if group_id and not await user_groups.get(
        session, marketplace_id=marketplace_id, owner=owner, group_id=group_id
    ):
        raise NotFoundError("UserGroup", group_id)
    if user_id and not await users.get_row(
        session,
        marketplace_id=marketplace_id,
        user_type=owner.owner_type,
        company_id=owner.company_id,
        user_id=user_id,
    ):
        raise NotFoundError("User" if buyer_id else "AdminUser", user_id)


async def _require(
    session: AsyncSession, marketplace_id: str, config_id: str
) -> ImpersonationConfig:
    config = await impersonation_configs.get(
        session, marketplace_id=marketplace_id, config_id=config_id
    )
    if config is None:
        raise NotFoundError(OBJECT_TYPE, config_id)
    return config


# --- checks run by other resources' deletes -------------------------------------------------


async def _refuse_if_referenced(
    session: AsyncSession,
    marketplace_id: str,
    reference: Reference,
    code: str,
    message: str,
) -> None:
    await lock_marketplace(session, marketplace_id)
    found = await impersonation_configs.first_referencing(
        session, marketplace_id=marketplace_id, reference=reference
    )
    if found is not None:
        raise ConflictError(code, message, {"ObjectType": OBJECT_TYPE, "ObjectID": found})


async def refuse_profile_delete(
    session: AsyncSession, marketplace_id: str, profile_id: str
) -> None:
    await _refuse_if_referenced(
        session,
        marketplace_id,
        Reference(profile_id=profile_id),
        "Impersonation.CannotDeleteSecurityProfile",
        "Cannot delete a security profile assigned to an ImpersonationConfig.",
    )


async def refuse_client_delete(session: AsyncSession, marketplace_id: str, client_id: str) -> None:
    await _refuse_if_referenced(
        session,
        marketplace_id,
        Reference(client_id=client_id),
        "ApiClient.UsedByImpersonationConfig",
        "This API client is used by an ImpersonationConfig; delete or change the config first.",
    )


async def refuse_party_delete(
    session: AsyncSession,
    marketplace_id: str,
    *,
    company_id: str,
    user_id: str | None = None,
    group_id: str | None = None,
) -> None:
    """A buyer's (``company_id``) or the seller's (``''``) user or group named by a config."""
    reference = Reference(company_id=company_id, user_id=user_id, group_id=group_id or "")
    await _refuse_if_referenced(
        session,
        marketplace_id,
        reference,
        "Impersonation.CannotDeleteImpersonateeParty",
        "Cannot delete a group or user assigned to an ImpersonationConfig.",
    )


def _config_company(user_type: UserType, company_id: str | None) -> str | None:
    """The ``*BuyerID`` value naming this owner's users and groups in configs: ``''`` for the
    seller, the buyer's ID, or ``None`` for suppliers (configs never name them)."""
    if user_type is UserType.ADMIN:
        return ""
    if user_type is UserType.BUYER and company_id:
        return company_id
    return None


async def refuse_user_delete(
    session: AsyncSession,
    marketplace_id: str,
    user_type: UserType,
    company_id: str | None,
    user_id: str,
) -> None:
    company = _config_company(user_type, company_id)
    if company is not None:
        await refuse_party_delete(session, marketplace_id, company_id=company, user_id=user_id)


async def refuse_group_delete(
    session: AsyncSession,
    marketplace_id: str,
    user_type: UserType,
    company_id: str | None,
    group_id: str,
) -> None:
    company = _config_company(user_type, company_id)
    if company is not None:
        await refuse_party_delete(session, marketplace_id, company_id=company, group_id=group_id)


async def follow_rename(
    session: AsyncSession,
    marketplace_id: str,
    user_type: UserType,
    company_id: str | None,
    *,
    group: bool,
    old_id: str,
    new_id: str,
) -> None:
    """Keep configs pointing at a user or group whose ID a PUT/PATCH changed."""
    company = _config_company(user_type, company_id)
    if company is not None and old_id != new_id:
        await impersonation_configs.rename_party(
            session,
            marketplace_id=marketplace_id,
            company_id=company,
            group=group,
            old_id=old_id,
            new_id=new_id,
        )
