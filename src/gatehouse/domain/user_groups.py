"""A user group as the API shows it, and whose groups a query is about. Built by
``storage.queries.user_groups``, rendered by ``http.schemas.user_groups`` (rows never leave
storage)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gatehouse.domain.users import UserType


@dataclass(slots=True)
class UserGroup:
    id: str
    name: str
    description: str | None = None
    xp: Any = None


@dataclass(frozen=True, slots=True)
class GroupOwner:
    """Whose groups: the seller (``ADMIN``, company ``""``), or one buyer or supplier."""

    owner_type: UserType
    company_id: str = ""
