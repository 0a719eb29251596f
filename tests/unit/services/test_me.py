"""``MeService`` called directly, without HTTP, against the real test database built by the
session fixtures (its storage is the user queries; a fake would re-implement them), built as
the runtime builds it (``Services.build``)."""

from __future__ import annotations

import pytest

from gatehouse.domain.errors import (
    ForbiddenError,
    InvalidInputError,
    RequiredFieldError,
    UnauthenticatedError,
)
from gatehouse.domain.users import UserType
from gatehouse.runtime import Runtime
from gatehouse.services.registry import Services
from gatehouse.services.users import UserScope
from gatehouse.storage.queries import users
from tests.factories.marketplaces import Marketplace


def services(runtime: Runtime) -> Services:
    return Services.build(runtime.db, runtime.clock, runtime.hasher)


async def _admin(runtime: Runtime, marketplace: Marketplace) -> tuple[int, str | None]:
    """The marketplace's admin: internal id and password hash."""
    async with runtime.db.read() as session:
        row = await users.find_by_username(
            session, marketplace_id=marketplace.id, username=marketplace.credentials.username
        )
    assert row is not None
    return row.id, row.password_hash


async def test_me_needs_a_user(runtime: Runtime, marketplace: Marketplace) -> None:
    me = services(runtime).me
    with pytest.raises(UnauthenticatedError):
        await me.get(marketplace.id, None)
    with pytest.raises(UnauthenticatedError):
        await me.get("another-marketplace", (await _admin(runtime, marketplace))[0])


async def test_me_reads_and_writes_its_own_user(runtime: Runtime, marketplace: Marketplace) -> None:
    built = services(runtime)
    me = built.me
    created = await built.users.create(
        marketplace.id,
        UserScope(UserType.ADMIN),
        {"id": "me-1", "username": f"{marketplace.id}-me-1", "first_name": "F"}
        | {"last_name": "L", "email": "e@example.com", "active": True},
    )
    internal_id = created.user.internal_id
    assert (await me.get(marketplace.id, internal_id)).view.user.internal_id == internal_id
    with pytest.raises(ForbiddenError):
        await me.update(
            marketplace.id, internal_id, {"xp": {"x": 1}}, merge=True, may_write_xp=False
        )
    updated = await me.update(
        marketplace.id,
        internal_id,
        {"first_name": "Zed", "id": "ignored"},
        merge=True,
        may_write_xp=False,
    )
    assert updated.view.user.first_name == "Zed"
    assert updated.view.user.id == "me-1"


async def test_me_password_is_required_and_checked(
    runtime: Runtime, marketplace: Marketplace
) -> None:
    me = services(runtime).me
    internal_id, _ = await _admin(runtime, marketplace)
    with pytest.raises(RequiredFieldError):
        await me.set_password(marketplace.id, internal_id, "")
    with pytest.raises(InvalidInputError) as weak:
        await me.set_password(marketplace.id, internal_id, "a")
    assert weak.value.code == "PasswordReset.InsecurePassword"
