"""Security profiles and how their assignments reach a user (spec §5.2, §5.3).

A user's ``AvailableRoles`` are the union of the roles and custom roles of every profile
assigned at a level that reaches them: seller level (admins), their company, a group they
belong to, or themselves.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from gatehouse.domain.roles import RoleSet
from gatehouse.domain.users import UserType


@dataclass(frozen=True, slots=True)
class ProfileAssignment:
    """Party fields are ``None`` when not set."""

    security_profile_id: str
    buyer_id: str | None = None
    supplier_id: str | None = None
    user_id: str | None = None
    user_group_id: str | None = None


@dataclass(frozen=True, slots=True)
class ProfileHolder:
    """The facts about a user that decide which assignments reach them."""

    user_type: UserType
    user_id: str
    company_id: str | None
    group_ids: Collection[str] = ()


def assignment_reaches(assignment: ProfileAssignment, holder: ProfileHolder) -> bool:
    if not _company_matches(assignment, holder):
        return False
    if assignment.user_id is not None:
        return assignment.user_id == holder.user_id
    if assignment.user_group_id is not None:
        return assignment.user_group_id in holder.group_ids
    return True


def _company_matches(assignment: ProfileAssignment, holder: ProfileHolder) -> bool:
    if holder.user_type is UserType.ADMIN:
        return assignment.buyer_id is None and assignment.supplier_id is None
    if holder.user_type is UserType.BUYER:
        return assignment.supplier_id is None and assignment.buyer_id == holder.company_id
    return assignment.buyer_id is None and assignment.supplier_id == holder.company_id


def available_roles(
    assignments: Iterable[ProfileAssignment],
    profiles: dict[str, RoleSet],
    holder: ProfileHolder,
) -> RoleSet:
    """Union of the roles of every profile whose assignment reaches ``holder``."""
    result = RoleSet()
    for assignment in assignments:
        if assignment_reaches(assignment, holder):
            result = result.union(profiles.get(assignment.security_profile_id, RoleSet()))
    return result


@dataclass(slots=True)
class SecurityProfile:
    id: str
    name: str
    roles: list[str]
    custom_roles: list[str]
    password_config: dict[str, object] | None = None
