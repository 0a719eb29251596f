"""``AnonymousService`` called directly, without HTTP, built as the runtime builds it
(``Services.build``) on the test database. Registration itself needs a signed anonymous
token and a client, so it is covered over HTTP (``tests/functional/test_anonymous_register``)."""

from __future__ import annotations

import pytest

from gatehouse.domain.errors import InvalidInputError
from gatehouse.runtime import Runtime
from gatehouse.services.anonymous import AnonToken
from gatehouse.services.registry import Services


async def test_only_buyer_users_take_over_an_anonymous_order(runtime: Runtime) -> None:
    anonymous = Services.build(runtime.db, runtime.clock, runtime.hasher).anonymous
    anon = AnonToken("order-key", runtime.clock.now())
    with pytest.raises(InvalidInputError):
        await anonymous.transfer_order("mp", 1, None, anon)
