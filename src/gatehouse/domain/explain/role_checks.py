"""Explain's role arithmetic: what the token would carry, what was dropped and why, and the
client's minimum roles."""

from __future__ import annotations

from gatehouse.domain.api_clients import ApiClient
from gatehouse.domain.explain.model import Check, RoleOutcome, fail_check, pass_check
from gatehouse.domain.roles import (
    RoleSet,
    dropped_roles,
    grant_roles,
    missing_minimum_roles,
    ordered_roles,
)


def role_outcome(
    client: ApiClient, available: RoleSet, scope: frozenset[str] | None
) -> RoleOutcome:
    limits = client.role_limits
    dropped = dropped_roles(available, scope, limits)
    return RoleOutcome(
        granted=tuple(ordered_roles(grant_roles(available, scope, limits))),
        dropped=tuple((role, dropped[role]) for role in ordered_roles(dropped)),
        missing_minimum=tuple(ordered_roles(missing_minimum_roles(available, limits))),
    )


def roles_check(outcome: RoleOutcome) -> Check:
    """Never refuses: a token without roles is still issued (OrderCloud drops silently)."""
    if not outcome.granted:
        return pass_check(
            "Roles",
            f"no role granted ({len(outcome.dropped)} dropped): "
            "the token would carry no role claim",
        )
    return pass_check("Roles", f"{len(outcome.granted)} granted, {len(outcome.dropped)} dropped")


def minimum_check(client: ApiClient, outcome: RoleOutcome) -> Check:
    minimum = ordered_roles(client.role_limits.minimum)
    if not minimum:
        return pass_check("MinimumRoles", "the client requires no roles")
    if outcome.missing_minimum:
        return fail_check(
            "MinimumRoles",
            "the user lacks roles the client requires: " + ", ".join(outcome.missing_minimum),
            "Auth.InsufficientRoles",
        )
    return pass_check(
        "MinimumRoles", "the user holds every role the client requires: " + ", ".join(minimum)
    )
