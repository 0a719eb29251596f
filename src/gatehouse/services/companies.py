"""Buyer and supplier use cases, written once for both (a ``CompanyKind`` says which).

Each call is one transaction. Writes are single statements or run under a row lock, so
concurrent requests never leave a half-written company nor fail with an integrity error.
"""

from __future__ import annotations

from dataclasses import replace as with_changes
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from gatehouse.domain.companies import (
    Company,
    CompanyKind,
    build_company,
    check_same_id,
    merge_patch,
    visible_ids,
)
from gatehouse.domain.errors import ConflictError, IdExistsError, NotFoundError
from gatehouse.domain.ids import new_object_id
from gatehouse.domain.listing import ListQuery
from gatehouse.domain.users import UserType
from gatehouse.storage.invalidation import EVERYTHING, company_key, invalidate
from gatehouse.storage.queries import companies, impersonation_configs

if TYPE_CHECKING:
    from gatehouse.services.registry import ServiceDeps


class CompanyService:
    """Buyers and suppliers: one service for both kinds (a ``CompanyKind`` says which)."""

    def __init__(self, deps: ServiceDeps) -> None:
        self._db = deps.db
        self._clock = deps.clock

    async def get(self, marketplace_id: str, kind: CompanyKind, company_id: str) -> Company:
        async with self._db.read() as session:
            return await _require(session, marketplace_id, kind, company_id)

    async def list_page(
        self,
        marketplace_id: str,
        kind: CompanyKind,
        query: ListQuery,
        *,
        caller_type: UserType,
        caller_company: str | None,
    ) -> tuple[list[Company], int]:
        """A page of the companies the caller may see: all for sellers, their own for a user of
        that kind, none for a user of the other kind."""
        only = visible_ids(kind, caller_type, caller_company)
        async with self._db.read() as session:
            return await companies.list_page(
                session, marketplace_id=marketplace_id, kind=kind, query=query, only=only
            )

    async def create(
        self, marketplace_id: str, kind: CompanyKind, fields: dict[str, Any]
    ) -> Company:
        """POST: the ID is optional (generated when absent); a taken ID is 409 ``IdExists``."""
        now = self._clock.now()
        company = build_company(kind, fields.get("id") or new_object_id(), fields, date_created=now)
        async with self._db.write() as session:
            if not await companies.insert_new(
                session, marketplace_id=marketplace_id, company=company, now=now
            ):
                raise IdExistsError(kind.object_type, company.id)
            return company

    async def replace(
        self,
        marketplace_id: str,
        kind: CompanyKind,
        company_id: str,
        fields: dict[str, Any],
    ) -> Company:
        """PUT: creates the company at ``company_id`` or replaces every writable field (omitted
        ones fall back to their defaults); DateCreated is kept."""
        check_same_id(company_id, fields.get("id"))
        company = build_company(kind, company_id, fields)
        async with self._db.write() as session:
            created = await companies.upsert(
                session, marketplace_id=marketplace_id, company=company, now=self._clock.now()
            )
            await invalidate(session, company_key(marketplace_id, kind.value, company_id))
            return with_changes(company, date_created=created)

    async def patch(
        self, marketplace_id: str, kind: CompanyKind, company_id: str, changes: dict[str, Any]
    ) -> Company:
        """PATCH: only the sent fields change; ``xp`` is deep-merged (spec §2.5)."""
        check_same_id(company_id, changes.get("id"))
        async with self._db.write() as session:
            current = await _require(session, marketplace_id, kind, company_id, for_update=True)
            company = build_company(
                kind, current.id, merge_patch(current, changes), date_created=current.date_created
            )
            await companies.update(session, marketplace_id=marketplace_id, company=company)
            await invalidate(session, company_key(marketplace_id, kind.value, current.id))
            return company

    async def delete(self, marketplace_id: str, kind: CompanyKind, company_id: str) -> None:
        """Delete the company with its users, user groups (and memberships), its ApiClient and
        security profile assignments and the impersonation configs naming it, in one transaction.

        Refused (nothing deleted) while one of its users is some ApiClient's default context
        user: deleting that user would silently break the client's client_credentials grant.
        """
        async with self._db.write() as session:
            await _require(session, marketplace_id, kind, company_id, for_update=True)
            blocking = await companies.default_context_users(
                session, marketplace_id=marketplace_id, kind=kind, company_id=company_id
            )
            if blocking:
                raise ConflictError(
                    "User.CannotDeleteDefaultContextUser",
                    f"{kind.object_type} {company_id} has a user who is the default context user "
                    "of an API client; change the client first.",
                    {"ObjectType": _user_object_type(kind), "ObjectID": blocking[0]},
                )
            await companies.delete_company(
                session, marketplace_id=marketplace_id, kind=kind, company_id=company_id
            )
            if kind is CompanyKind.BUYER:
                await impersonation_configs.delete_for_buyer(
                    session, marketplace_id=marketplace_id, buyer_id=company_id
                )
            # Its users went with it; a rare operation, so every process simply starts over.
            await invalidate(session, EVERYTHING)


def _user_object_type(kind: CompanyKind) -> str:
    return "User" if kind is CompanyKind.BUYER else "SupplierUser"


async def _require(
    session: AsyncSession,
    marketplace_id: str,
    kind: CompanyKind,
    company_id: str,
    *,
    for_update: bool = False,
) -> Company:
    found = await companies.get(
        session,
        marketplace_id=marketplace_id,
        kind=kind,
        company_id=company_id,
        for_update=for_update,
    )
    if found is None:
        raise NotFoundError(kind.object_type, company_id)
    return found
