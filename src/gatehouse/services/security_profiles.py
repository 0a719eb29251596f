"""SecurityProfile use cases (spec §5.1, §5.2): CRUD and assignments at every level."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from gatehouse.domain import audit
from gatehouse.domain.errors import (
    IdExistsError,
    InvalidInputError,
    NotFoundError,
    RequiredFieldError,
)
from gatehouse.domain.ids import is_valid_id, new_object_id
from gatehouse.domain.listing import ListQuery
from gatehouse.domain.passwords import validate_password_config
from gatehouse.domain.roles import API_ROLE_NAMES, MAX_CUSTOM_ROLE_LENGTH
from gatehouse.domain.security_profiles import ProfileAssignment, SecurityProfile
from gatehouse.domain.users import UserType
from gatehouse.services import impersonation_configs
from gatehouse.storage.audit import record
from gatehouse.storage.queries import companies, security_profiles, user_groups, users
from gatehouse.storage.queries import impersonation_configs as impersonation_config_rows
from gatehouse.storage.queries.user_groups import GroupOwner

if TYPE_CHECKING:
    from gatehouse.services.registry import ServiceDeps

OBJECT_TYPE = "SecurityProfile"
MAX_NAME_LENGTH = 100


class SecurityProfileService:
    """Security profiles and their assignments."""

    def __init__(self, deps: ServiceDeps) -> None:
        self._db = deps.db
        self._clock = deps.clock

    async def get(self, marketplace_id: str, profile_id: str) -> SecurityProfile:
        async with self._db.read() as session:
            return await _require(session, marketplace_id, profile_id)

    async def list_page(
        self, marketplace_id: str, query: ListQuery
    ) -> tuple[list[SecurityProfile], int]:
        async with self._db.read() as session:
            return await security_profiles.list_page(
                session, marketplace_id=marketplace_id, query=query
            )

    async def create(self, marketplace_id: str, fields: dict[str, Any]) -> SecurityProfile:
        profile = _build(fields.get("id") or new_object_id(), fields)
        async with self._db.write() as session:
            if await security_profiles.get(
                session, marketplace_id=marketplace_id, profile_id=profile.id
            ):
                raise IdExistsError(OBJECT_TYPE, profile.id)
            await security_profiles.insert(
                session, marketplace_id=marketplace_id, profile=profile, now=self._clock.now()
            )
            return profile

    async def replace_profile(
        self, marketplace_id: str, profile_id: str, fields: dict[str, Any]
    ) -> SecurityProfile:
        """PUT creates at that ID when new, else replaces (an ID in the body renames)."""
        async with self._db.write() as session:
            current = await security_profiles.get(
                session, marketplace_id=marketplace_id, profile_id=profile_id
            )
            profile = _build(fields.get("id") or profile_id, fields)
            if current is None:
                profile = replace(profile, id=profile_id)
                await security_profiles.insert(
                    session, marketplace_id=marketplace_id, profile=profile, now=self._clock.now()
                )
                return profile
            await _save(session, marketplace_id, profile_id, profile)
            return profile

    async def patch(
        self, marketplace_id: str, profile_id: str, changes: dict[str, Any]
    ) -> SecurityProfile:
        async with self._db.write() as session:
            current = await _require(session, marketplace_id, profile_id)
            merged: dict[str, Any] = {
                "id": current.id,
                "name": current.name,
                "roles": current.roles,
                "custom_roles": current.custom_roles,
                "password_config": current.password_config,
            }
            merged.update(
                {k: v for k, v in changes.items() if v is not None or k == "password_config"}
            )
            profile = _build(merged["id"], merged)
            await _save(session, marketplace_id, current.id, profile)
            return profile

    async def delete(self, marketplace_id: str, profile_id: str) -> None:
        async with self._db.write() as session:
            await impersonation_configs.refuse_profile_delete(session, marketplace_id, profile_id)
            if not await security_profiles.delete_profile(
                session, marketplace_id=marketplace_id, profile_id=profile_id
            ):
                raise NotFoundError(OBJECT_TYPE, profile_id)

    async def save_assignment(
        self,
        marketplace_id: str,
        assignment: ProfileAssignment,
        actor: audit.Actor | None = None,
    ) -> None:
        _check_assignment_shape(assignment)
        async with self._db.write() as session:
            await _require(session, marketplace_id, assignment.security_profile_id)
            await _require_parties(session, marketplace_id, assignment)
            await security_profiles.save_assignment(
                session, marketplace_id=marketplace_id, assignment=assignment
            )
            await _audit(session, audit.PROFILE_ASSIGNMENT_SAVED, marketplace_id, assignment, actor)

    async def delete_assignment(
        self,
        marketplace_id: str,
        assignment: ProfileAssignment,
        actor: audit.Actor | None = None,
    ) -> None:
        _check_assignment_shape(assignment)
        async with self._db.write() as session:
            await _require(session, marketplace_id, assignment.security_profile_id)
            await security_profiles.delete_assignment(
                session, marketplace_id=marketplace_id, assignment=assignment
            )
            await _audit(
                session, audit.PROFILE_ASSIGNMENT_DELETED, marketplace_id, assignment, actor
            )

    async def list_assignments(
        self,
        marketplace_id: str,
        *,
        filters: dict[str, str],
        commerce_role: str | None,
        level: str | None,
        page: int,
        page_size: int,
    ) -> tuple[list[ProfileAssignment], int]:
        """Filters by party, plus ``commerceRole`` (Buyer|Seller|Supplier) and ``level``
        (User|Group|Company)."""
        role = _checked_role(commerce_role, filters)
        checked_level = _checked_level(level)
        async with self._db.read() as session:
            return await security_profiles.list_assignments(
                session,
                marketplace_id=marketplace_id,
                filters=filters,
                commerce_role=role,
                level=checked_level,
                page=page,
                page_size=page_size,
            )


# The party filters each commerce role excludes, in the order they are checked.
_EXCLUDED_BY_ROLE = {
    "seller": ("buyer_id", "supplier_id"),
    "buyer": ("supplier_id",),
    "supplier": ("buyer_id",),
}


def _checked_role(commerce_role: str | None, filters: dict[str, str]) -> str | None:
    """``seller``, ``buyer`` or ``supplier`` (or ``None``); 400 for another value or for a
    party filter the role excludes."""
    if commerce_role is None:
        return None
    role = commerce_role.lower()
    excluded = _EXCLUDED_BY_ROLE.get(role)
    if excluded is None:
        raise InvalidInputError(message="commerceRole must be Buyer, Seller or Supplier.")
    for field in excluded:
        if field in filters:
            party = "BuyerID" if field == "buyer_id" else "SupplierID"
            raise InvalidInputError(
                f"SecurityProfile.CannotProvide{party}",
                f"commerceRole {role.title()} excludes {party[0].lower()}{party[1:]}.",
            )
    return role


def _checked_level(level: str | None) -> str | None:
    """``user``, ``group`` or ``company`` (or ``None``); 400 for another value."""
    if level is None:
        return None
    if level.lower() not in ("user", "group", "company"):
        raise InvalidInputError(message="level must be User, Group or Company.")
    return level.lower()


def _check_assignment_shape(assignment: ProfileAssignment) -> None:
    if not assignment.security_profile_id:
        raise RequiredFieldError("SecurityProfileID")
    if assignment.buyer_id and assignment.supplier_id:
        raise InvalidInputError(
            "PartyAssignment.CannotSpecifyBuyerAndSupplier",
            "An assignment may name a buyer or a supplier, not both.",
        )
    if assignment.user_id and assignment.user_group_id:
        raise InvalidInputError(
            "PartyAssignment.CannotSpecifyGroupAndUser",
            "An assignment may name a user or a user group, not both.",
        )


async def _require_parties(
    session: AsyncSession, marketplace_id: str, assignment: ProfileAssignment
) -> None:
    if assignment.buyer_id and not await companies.buyer_exists(
        session, marketplace_id=marketplace_id, buyer_id=assignment.buyer_id
    ):
        raise NotFoundError("Buyer", assignment.buyer_id)
    if assignment.supplier_id and not await companies.supplier_exists(
        session, marketplace_id=marketplace_id, supplier_id=assignment.supplier_id
    ):
        raise NotFoundError("Supplier", assignment.supplier_id)
    if assignment.user_id:
        await _require_user(session, marketplace_id, assignment)
    if assignment.user_group_id:
        await _require_group(session, marketplace_id, assignment)


async def _require_group(
    session: AsyncSession, marketplace_id: str, assignment: ProfileAssignment
) -> None:
    """The group must belong to the assignment's owner: the seller when neither BuyerID nor
    SupplierID is set (an admin group), else that buyer or supplier (spec §5.2)."""
    owner = GroupOwner(UserType.ADMIN)
    if assignment.buyer_id:
        owner = GroupOwner(UserType.BUYER, assignment.buyer_id)
    elif assignment.supplier_id:
        owner = GroupOwner(UserType.SUPPLIER, assignment.supplier_id)
    group_id = assignment.user_group_id or ""
    if not await user_groups.get(
        session, marketplace_id=marketplace_id, owner=owner, group_id=group_id
    ):
        raise NotFoundError("UserGroup", group_id)


async def _require_user(
    session: AsyncSession, marketplace_id: str, assignment: ProfileAssignment
) -> None:
    user_type, company, object_type = UserType.ADMIN, "", "AdminUser"
    if assignment.buyer_id:
        user_type, company, object_type = UserType.BUYER, assignment.buyer_id, "User"
    elif assignment.supplier_id:
        user_type, company, object_type = UserType.SUPPLIER, assignment.supplier_id, "SupplierUser"
    row = await users.get_row(
        session,
        marketplace_id=marketplace_id,
        user_type=user_type,
        company_id=company,
        user_id=assignment.user_id or "",
    )
    if row is None:
        raise NotFoundError(object_type, assignment.user_id)


def _build(profile_id: str, fields: dict[str, Any]) -> SecurityProfile:
    if not is_valid_id(profile_id):
        raise InvalidInputError(
            message="ID may contain only letters, digits, - and _, up to 100 characters.",
            data={"Field": "ID"},
        )
    name = fields.get("name")
    if not name:
        raise RequiredFieldError("Name")
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidInputError(
            message="Name may not exceed 100 characters.", data={"Field": "Name"}
        )
    roles = list(fields.get("roles") or [])
    unknown = [role for role in roles if role not in API_ROLE_NAMES]
    if unknown:
        raise InvalidInputError(
            message="Roles contains invalid roles.",
            data={"Field": "Roles", "InvalidRoles": unknown},
        )
    custom = list(fields.get("custom_roles") or [])
    if any(not c.strip() or len(c) > MAX_CUSTOM_ROLE_LENGTH or " " in c for c in custom):
        raise InvalidInputError(
            message="CustomRoles contains an invalid role.", data={"Field": "CustomRoles"}
        )
    return SecurityProfile(
        id=profile_id,
        name=name,
        roles=list(dict.fromkeys(roles)),
        custom_roles=list(dict.fromkeys(custom)),
        password_config=validate_password_config(fields.get("password_config")),
    )


async def _save(
    session: AsyncSession, marketplace_id: str, current_id: str, profile: SecurityProfile
) -> None:
    if profile.id != current_id and await security_profiles.get(
        session, marketplace_id=marketplace_id, profile_id=profile.id
    ):
        raise IdExistsError(OBJECT_TYPE, profile.id)
    await security_profiles.replace(
        session, marketplace_id=marketplace_id, current_id=current_id, profile=profile
    )
    if profile.id != current_id:  # impersonation configs have no foreign key to follow
        await impersonation_config_rows.rename_profile(
            session, marketplace_id=marketplace_id, old_id=current_id, new_id=profile.id
        )


async def _require(session: AsyncSession, marketplace_id: str, profile_id: str) -> SecurityProfile:
    profile = await security_profiles.get(
        session, marketplace_id=marketplace_id, profile_id=profile_id
    )
    if profile is None:
        raise NotFoundError(OBJECT_TYPE, profile_id)
    return profile


async def _audit(
    session: AsyncSession,
    event_type: str,
    marketplace_id: str,
    assignment: ProfileAssignment,
    actor: audit.Actor | None,
) -> None:
    who = audit.actor_or_system(actor)
    parties = {
        "SecurityProfileID": assignment.security_profile_id,
        "BuyerID": assignment.buyer_id,
        "SupplierID": assignment.supplier_id,
        "UserID": assignment.user_id,
        "UserGroupID": assignment.user_group_id,
    }
    details = {k: v for k, v in parties.items() if v is not None}
    event = audit.AuditEvent(
        event_type, marketplace_id, who, client_id=who.client_id, details=details
    )
    await record(session, event)
