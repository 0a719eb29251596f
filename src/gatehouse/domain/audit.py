"""The audit trail's vocabulary (issue 5 point 2): who did what, to which client or user.

An ``AuditEvent`` never holds a secret value, password, hash or token: only identifiers,
names of changed fields, grant types and error codes. Events of a change are written in the
change's own transaction (``gatehouse.storage.audit.record``); token events go through an
in-process buffer (``gatehouse.services.audit.TokenAuditLog``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from gatehouse.domain.errors import InvalidInputError

# Stable dotted event names. Clients read them: never rename one.
TOKEN_ISSUED = "token.issued"
TOKEN_REFUSED = "token.refused"
USER_LOCKED_OUT = "user.locked_out"
USER_UNLOCKED = "user.unlocked"
APICLIENT_CREATED = "apiclient.created"
APICLIENT_UPDATED = "apiclient.updated"
APICLIENT_DELETED = "apiclient.deleted"
SECRET_CREATED = "apiclient_secret.created"
SECRET_UPDATED = "apiclient_secret.updated"
SECRET_DELETED = "apiclient_secret.deleted"
ASSIGNMENT_SAVED = "apiclient_assignment.saved"
ASSIGNMENT_DELETED = "apiclient_assignment.deleted"
PROFILE_ASSIGNMENT_SAVED = "security_profile_assignment.saved"
PROFILE_ASSIGNMENT_DELETED = "security_profile_assignment.deleted"
TOKENS_REVOKED = "tokens.revoked"
KEY_ROTATED = "key.rotated"
PASSWORD_RESET = "user.password_reset"  # issue 13: `gatehouse users reset-password`

EVENT_TYPES = (
    TOKEN_ISSUED,
    TOKEN_REFUSED,
    USER_LOCKED_OUT,
    USER_UNLOCKED,
    APICLIENT_CREATED,
    APICLIENT_UPDATED,
    APICLIENT_DELETED,
    SECRET_CREATED,
    SECRET_UPDATED,
    SECRET_DELETED,
    ASSIGNMENT_SAVED,
    ASSIGNMENT_DELETED,
    PROFILE_ASSIGNMENT_SAVED,
    PROFILE_ASSIGNMENT_DELETED,
    TOKENS_REVOKED,
    KEY_ROTATED,
    PASSWORD_RESET,
)

MAX_RANGE = timedelta(days=366)
"""The widest ``from``..``to`` window one query may ask for."""


@dataclass(frozen=True, slots=True)
class Actor:
    """Who caused an event: a user through a client's token, the CLI, or the server itself."""

    kind: str = "system"
    """``user``, ``cli`` or ``system``."""
    user_internal_id: int | None = None
    username: str | None = None
    user_type: str | None = None
    client_id: str | None = None
    """The client whose token the user presented."""


SYSTEM = Actor("system")
CLI = Actor("cli")


@dataclass(frozen=True, slots=True)
class AuditUser:
    """The user an event is about (the token's user, the unlocked or revoked user)."""

    internal_id: int | None
    username: str | None
    user_type: str | None


@dataclass(frozen=True, slots=True)
class AuditEvent:
    event_type: str
    marketplace_id: str | None
    """``None`` for server-wide events (``key.rotated``), shown to every marketplace."""
    actor: Actor = SYSTEM
    client_id: str | None = None
    """The client concerned: the token's client, or the client changed."""
    user: AuditUser | None = None
    details: Mapping[str, Any] = field(default_factory=dict)
    time: datetime | None = None
    """Set when recorded, unless the event carries its own time."""


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """An event as read back from storage."""

    id: int
    time: datetime
    event: AuditEvent


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """The audit query's own filters (the shared list conventions add the rest)."""

    since: datetime
    until: datetime
    client_id: str | None = None
    username: str | None = None


def actor_or_system(actor: Actor | None) -> Actor:
    return SYSTEM if actor is None else actor


_WIRE_NAMES = {"id": "ID", "xp": "xp", "default_context_username": "DefaultContextUserName"}


def wire_name(name: str) -> str:
    """``access_token_duration`` → ``AccessTokenDuration``, ``..._event_id`` → ``...EventID``:
    the OrderCloud property names operators know, for ``apiclient.updated``'s field list."""
    if name in _WIRE_NAMES:
        return _WIRE_NAMES[name]
    parts = ["ID" if part == "id" else part.capitalize() for part in name.split("_")]
    return "".join(parts)


def changed_fields(before: object, after: object) -> list[str]:
    """The wire names of the dataclass fields whose values differ; never the values (a
    changed ``ClientSecret`` is reported by name only)."""
    names = [
        f.name
        for f in dataclasses.fields(before)  # type: ignore[arg-type]
        if getattr(before, f.name) != getattr(after, f.name)
    ]
    return sorted(wire_name(name) for name in names)


def check_range(since: datetime | None, until: datetime | None, now: datetime) -> AuditFilter:
    """The query's time window: ``to`` defaults to now, ``from`` to ``MAX_RANGE`` before
    ``to``. A reversed window, or one wider than ``MAX_RANGE``, is refused (400)."""
    end = until or now
    start = since or end - MAX_RANGE
    if start > end:
        raise InvalidInputError(
            "Audit.InvalidRange",
            "from must not be later than to.",
            {"From": start.isoformat(), "To": end.isoformat()},
        )
    if end - start > MAX_RANGE:
        raise InvalidInputError(
            "Audit.RangeTooWide",
            f"The time range may span at most {MAX_RANGE.days} days.",
            {"MaxDays": MAX_RANGE.days},
        )
    return AuditFilter(since=start, until=end)


@dataclass(frozen=True, slots=True)
class AuditQuery:
    """A filter on the audit trail (``gatehouse audit list``); every field narrows it."""

    client_id: str | None = None
    event_type: str | None = None
    marketplace_id: str | None = None
    since: datetime | None = None
    limit: int = 100
