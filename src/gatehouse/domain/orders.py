"""An order as the API shows it: built by ``storage.queries.orders`` from its row and its
``FromUser``, rendered by ``http.schemas.orders`` (rows never leave storage)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from gatehouse.domain.users import User


@dataclass(slots=True)
class Order:
    """An order as the API shows it, with its ``FromUser`` (``None`` once that user is gone).
    ``anonymous`` is internal: the order is still a temporary user's cart."""

    id: str
    from_company_id: str
    to_company_id: str
    status: str
    created_at: datetime
    last_updated: datetime
    comments: str | None = None
    xp: Any = None
    from_user: User | None = None
    anonymous: bool = False
