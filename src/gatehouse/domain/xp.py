"""Extended properties (``xp``): free-form JSON objects on most resources.

PATCH deep-merges objects nested in xp (sibling keys survive); a key can be set to null but
only PUT removes it (spec §2.5, KB-XP).
"""

from __future__ import annotations

from typing import Any

from gatehouse.domain.errors import InvalidInputError

MAX_XP_BYTES = 8000  # OrderCloud's documented xp size limit is 8 KB


def deep_merge(current: Any, patch: Any) -> Any:
    """Merge ``patch`` into ``current`` recursively for dicts; anything else replaces."""
    if not isinstance(current, dict) or not isinstance(patch, dict):
        return patch
    merged = dict(current)
    for key, value in patch.items():
        merged[key] = deep_merge(current.get(key), value)
    return merged


def validate_xp(xp: Any, encoded_size: int) -> None:
    """xp must be a JSON object (or null) within the size limit."""
    if xp is not None and not isinstance(xp, dict):
        raise InvalidInputError(message="xp must be a JSON object.", data={"Field": "xp"})
    if encoded_size > MAX_XP_BYTES:
        raise InvalidInputError(
            message=f"xp may not exceed {MAX_XP_BYTES} bytes.", data={"Field": "xp"}
        )
