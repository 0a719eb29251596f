"""Rules for targeted incident response on one API client (issue 5: revoke one client's
tokens, rotate its secret with overlap), with no effect on any other client."""

from __future__ import annotations

from datetime import datetime, timedelta

from gatehouse.domain.errors import InvalidInputError

MAX_OVERLAP_MINUTES = 43200
"""30 days: a rotation's old secret may stay valid at most this long (beyond that, a plain
named secret with an expiration says the same thing more honestly)."""


def overlap_end(now: datetime, overlap_minutes: object) -> datetime:
    """When the secrets a rotation replaces stop working."""
    if (
        isinstance(overlap_minutes, bool)
        or not isinstance(overlap_minutes, int)
        or not 0 <= overlap_minutes <= MAX_OVERLAP_MINUTES
    ):
        raise InvalidInputError(
            message="OldSecretsExpireInMinutes must be an integer from 0 to "
            f"{MAX_OVERLAP_MINUTES}.",
            data={"Field": "OldSecretsExpireInMinutes"},
        )
    # Zero means "now": the old secrets are refused from this instant.
    return now + timedelta(minutes=overlap_minutes)
