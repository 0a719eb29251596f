"""Identifier rules shared by every resource (spec §2.5)."""

from __future__ import annotations

import base64
import re
import secrets
import uuid

MAX_ID_LENGTH = 100
_ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,100}")


def is_valid_id(value: str) -> bool:
    """OrderCloud IDs: only ``A-Za-z0-9-_`` and at most 100 characters."""
    return _ID_PATTERN.fullmatch(value) is not None


def new_object_id() -> str:
    """A 22-character base64url ID, the shape OrderCloud generates (a GUID's 16 bytes)."""
    return base64.urlsafe_b64encode(secrets.token_bytes(16)).rstrip(b"=").decode()


def new_client_id() -> str:
    """API client IDs are lowercase GUIDs (they double as OAuth ``client_id``)."""
    return str(uuid.uuid4())


def normalize_client_id(value: str) -> str:
    """Client IDs compare case-insensitively everywhere; we store them lowercase."""
    return value.strip().lower()
