"""Fixtures the functional tests share."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.factories.two_servers import Pair, two_servers_on


@pytest.fixture
def two_servers(fresh_database_url: str) -> Iterator[Pair]:
    """Two server processes on one fresh database (``tests.factories.two_servers``)."""
    with two_servers_on(fresh_database_url) as pair:
        yield pair
