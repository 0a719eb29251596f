"""Helpers shared by the wire schemas."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, model_validator


class WireModel(BaseModel):
    """Base for request bodies: unknown properties are ignored, field names are PascalCase."""

    model_config = ConfigDict(extra="ignore", populate_by_name=False)
    REQUIRED: ClassVar[tuple[str, ...]] = ()
    """Properties a create (POST) or a full replace (PUT) must carry. The services check them
    (so PATCH can share the model); the OpenAPI document marks them required there."""

    @model_validator(mode="before")
    @classmethod
    def _no_nul_characters(cls, data: Any) -> Any:
        """NUL cannot be stored in PostgreSQL text; refuse it anywhere in a body (xp too)."""
        if _contains_nul(data):
            raise ValueError("strings may not contain the NUL character")
        return data

    def sent_fields(self, mapping: dict[str, str]) -> dict[str, Any]:
        """The fields the client actually sent, renamed to domain names via ``mapping``."""
        return {
            mapping[name]: getattr(self, name) for name in self.model_fields_set if name in mapping
        }


def iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _contains_nul(value: Any) -> bool:
    """Iterative, so no nesting makes it recurse (bodies are also depth-bounded upstream)."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False
