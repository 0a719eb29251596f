"""``UserTokenService`` called directly, without HTTP, against the real test database (a fake
of the user queries would re-implement them), built as the runtime builds it."""

from __future__ import annotations

import pytest

from gatehouse.domain.errors import NotFoundError, UnauthenticatedError
from gatehouse.domain.users import UserType
from gatehouse.runtime import Runtime
from gatehouse.services.users import UserScope
from gatehouse.storage.queries import users
from tests.factories.marketplaces import Marketplace
from tests.factories.users import fields, services

ADMINS = UserScope(UserType.ADMIN)


async def test_revoking_raises_the_threshold(runtime: Runtime, marketplace: Marketplace) -> None:
    built = services(runtime)
    created = await built.users.create(marketplace.id, ADMINS, fields())
    internal_id = created.user.internal_id
    before = await _valid_from(runtime, marketplace.id, internal_id)
    await built.user_tokens.revoke_tokens_by_username(marketplace.id, created.user.username)
    middle = await _valid_from(runtime, marketplace.id, internal_id)
    await built.user_tokens.revoke_own_tokens(marketplace.id, internal_id)
    assert before < middle < await _valid_from(runtime, marketplace.id, internal_id)


async def test_revoking_an_unknown_user(runtime: Runtime, marketplace: Marketplace) -> None:
    tokens = services(runtime).user_tokens
    with pytest.raises(NotFoundError):
        await tokens.revoke_tokens_by_username(marketplace.id, "nobody-at-all")
    with pytest.raises(UnauthenticatedError):
        await tokens.revoke_own_tokens("another-marketplace", 1)
    with pytest.raises(NotFoundError):
        await tokens.revoke_tokens(marketplace.id, ADMINS, "nobody-at-all")


async def _valid_from(runtime: Runtime, marketplace_id: str, internal_id: int) -> int:
    async with runtime.db.read() as session:
        row = await users.get_by_internal_id(
            session, marketplace_id=marketplace_id, internal_id=internal_id
        )
    assert row is not None
    return row.tokens_valid_from
