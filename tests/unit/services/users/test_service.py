"""``UserService`` and ``UserTokenService`` called directly, without HTTP.

A fake of their storage would be a second implementation of the user queries, so these run
against the real test database (SQLite or PostgreSQL, ``GATEHOUSE_TEST_DB``) built by the
session fixtures, with the service built as the runtime builds it (``Services.build``)."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from gatehouse.domain.errors import ConflictError, NotFoundError
from gatehouse.domain.users import UserType
from gatehouse.runtime import Runtime
from gatehouse.services.users import UserScope
from gatehouse.storage.models import ApiClientRow
from gatehouse.storage.queries import users
from tests.factories.marketplaces import Marketplace
from tests.factories.users import fields, services

ADMINS = UserScope(UserType.ADMIN)


async def test_create_get_patch_rename_delete(runtime: Runtime, marketplace: Marketplace) -> None:
    service = services(runtime).users
    created = await service.create(marketplace.id, ADMINS, fields(xp={"a": {"b": 1}}))
    user_id = created.user.id
    patched = await service.patch(marketplace.id, ADMINS, user_id, {"xp": {"a": {"c": 2}}})
    assert patched.user.xp == {"a": {"b": 1, "c": 2}}
    renamed = await service.overwrite(
        marketplace.id, ADMINS, user_id, {**fields(), "username": created.user.username}
    )
    assert renamed.user.id != user_id
    assert (await service.get(marketplace.id, ADMINS, renamed.user.id)).user.xp is None
    with pytest.raises(NotFoundError):
        await service.get(marketplace.id, ADMINS, user_id)
    await service.delete(marketplace.id, ADMINS, renamed.user.id)
    with pytest.raises(NotFoundError):
        await service.delete(marketplace.id, ADMINS, renamed.user.id)


async def test_usernames_are_unique_and_companies_must_exist(
    runtime: Runtime, marketplace: Marketplace
) -> None:
    service = services(runtime).users
    first = await service.create(marketplace.id, ADMINS, fields())
    with pytest.raises(ConflictError):
        await service.create(marketplace.id, ADMINS, fields(username=first.user.username))
    with pytest.raises(NotFoundError) as missing:
        await service.create(marketplace.id, UserScope(UserType.BUYER, "nowhere"), fields())
    assert missing.value.data == {"ObjectType": "Buyer", "ObjectID": "nowhere"}


async def test_the_default_context_user_cannot_be_deleted(
    runtime: Runtime, marketplace: Marketplace
) -> None:
    service = services(runtime).users
    created = await service.create(marketplace.id, ADMINS, fields())
    async with runtime.db.write() as session:
        await session.execute(
            update(ApiClientRow)
            .where(ApiClientRow.id == marketplace.client_id)
            .values(default_context_username=created.user.username.upper())
        )
    with pytest.raises(ConflictError) as refused:
        await service.delete(marketplace.id, ADMINS, created.user.id)
    assert refused.value.code == "User.CannotDeleteDefaultContextUser"


async def test_unlock_clears_failed_logins(runtime: Runtime, marketplace: Marketplace) -> None:
    service = services(runtime).users
    created = await service.create(marketplace.id, ADMINS, fields())
    async with runtime.db.write() as session:
        row = await users.get_row(
            session,
            marketplace_id=marketplace.id,
            user_type=UserType.ADMIN,
            company_id="",
            user_id=created.user.id,
        )
        assert row is not None
        row.failed_login_attempts = 5
    await service.unlock(marketplace.id, ADMINS, created.user.id)
    after = await service.get(marketplace.id, ADMINS, created.user.id)
    assert after.user.failed_login_attempts == 0
