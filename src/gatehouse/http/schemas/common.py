"""Helpers shared by the wire schemas."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class WireModel(BaseModel):
    """Base for request bodies: unknown properties are ignored, field names are PascalCase."""

    model_config = ConfigDict(extra="ignore", populate_by_name=False)

    def sent_fields(self, mapping: dict[str, str]) -> dict[str, Any]:
        """The fields the client actually sent, renamed to domain names via ``mapping``."""
        return {
            mapping[name]: getattr(self, name) for name in self.model_fields_set if name in mapping
        }


def iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()
