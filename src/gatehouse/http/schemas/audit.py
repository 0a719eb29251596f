"""AuditEvent on the wire (``GET /gatehouse/audit``): the list conventions the route accepts
and the shape of one event. Built from the domain's ``StoredEvent``, never from a row."""

from __future__ import annotations

from typing import Any

from gatehouse.domain.audit import StoredEvent
from gatehouse.domain.listing import FieldType, ListField, ListSpec
from gatehouse.http.schemas.common import iso

LIST_SPEC = ListSpec(
    object_type="AuditEvent",
    fields=(
        ListField("ID", FieldType.INTEGER, sortable=True),
        ListField("Time", FieldType.DATETIME, sortable=True),
        ListField("EventType", searchable=True, sortable=True),
        ListField("ClientID", sortable=True),
    ),
    default_sort=("!Time",),
)


def event_out(stored: StoredEvent) -> dict[str, Any]:
    event = stored.event
    actor = event.actor
    user = event.user
    return {
        "ID": stored.id,
        "Time": iso(stored.time),
        "EventType": event.event_type,
        "ClientID": event.client_id,
        "Actor": {
            "Type": actor.kind,
            "Username": actor.username,
            "UserType": actor.user_type,
            "ClientID": actor.client_id,
        },
        "User": None if user is None else {"Username": user.username, "UserType": user.user_type},
        "Details": dict(event.details),
    }
