"""Process logging: one format for every line, and one access line per request (ours)."""

from __future__ import annotations

import logging

from gatehouse.logs import configure_logging


def test_uvicorns_own_access_line_is_silenced() -> None:
    """uvicorn's protocol writes an access line whenever ``uvicorn.access`` reaches a handler;
    Gatehouse writes its own structured line, so the second one is dead weight per request."""
    configure_logging("json")
    assert not logging.getLogger("uvicorn.access").hasHandlers()
    assert logging.getLogger("uvicorn.error").hasHandlers()  # start-up and errors still logged
