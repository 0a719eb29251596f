"""Access troubleshooting: would the token endpoint issue a token for this client, user and
scope, and why (issue 5 point 4; docs/operations.md "Troubleshooting access").

Pure: the service loads the same facts the token endpoint loads (through the same token
store) and this module runs the same rules over them: ``access_rules`` (the access decision),
``client_credentials_refusal``, ``is_locked``/``lockout_policy``, ``password_expired``/
``policy_of``, ``grant_roles``/``dropped_roles``/``missing_minimum_roles``. Nothing here can
issue a token, count a failure or see a password: it is never given one.

Checks are listed in the order the token endpoint evaluates them, and every check is shown.
The first failing one is marked ``decisive``: it is the error a request with the right
password (and client secret) would get. ``passed`` is ``None`` for a check that does not
apply (lockout for client credentials) or cannot be evaluated (no visible user).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from gatehouse.domain.explain.client_checks import (
    client_active,
    client_credentials_check,
    secret_check,
    sso_check,
)
from gatehouse.domain.explain.model import (
    MAX_SCOPE_LENGTH,
    USER_READER_ROLES,
    Check,
    ExplainClient,
    ExplainUser,
    Explanation,
    GrantType,
    RoleOutcome,
    as_context_user,
    pass_check,
    resolved_grant,
    user_visible,
)
from gatehouse.domain.explain.role_checks import minimum_check, role_outcome, roles_check
from gatehouse.domain.explain.user_checks import (
    access_checks,
    lockout,
    password_policy,
    unchecked,
    user_exists,
)

__all__ = [
    "MAX_SCOPE_LENGTH",
    "USER_READER_ROLES",
    "Check",
    "ExplainClient",
    "ExplainUser",
    "Explanation",
    "GrantType",
    "RoleOutcome",
    "explain",
    "resolved_grant",
    "user_visible",
]


def explain(
    grant_type: GrantType,
    client: ExplainClient,
    user: ExplainUser | None,
    scope: frozenset[str] | None,
    now: datetime,
) -> Explanation:
    """Run every rule; ``user`` is ``None`` when the user does not exist *or* the caller may
    not see it (the two must read the same). For client credentials ``user`` is the default
    context user (for the anonymous grant, the template user)."""
    grant_type = resolved_grant(grant_type, client.client.is_anon_buyer)
    checks = [
        pass_check("ClientExists", f"API client {client.client.id} ({client.client.app_name!r})"),
        secret_check(grant_type, client, now),
        client_active(client.client),
    ]
    if as_context_user(grant_type):
        checks.append(client_credentials_check(grant_type, client))
    if grant_type is GrantType.SSO:
        checks.append(sso_check(client))
    checks.append(user_exists(grant_type, client.client, user))
    outcome = RoleOutcome()
    if user is None:
        checks.extend(unchecked(grant_type))
    else:
        checks.append(lockout(grant_type, user, now))
        checks.extend(access_checks(client, user.identity))
        checks.append(password_policy(grant_type, user, now))
        outcome = role_outcome(client.client, user.available, scope)
        checks.append(roles_check(outcome))
        checks.append(minimum_check(client.client, outcome))
    return _finish(grant_type, checks, outcome)


def _finish(grant_type: GrantType, checks: list[Check], outcome: RoleOutcome) -> Explanation:
    first = next((i for i, check in enumerate(checks) if check.passed is False), None)
    if first is not None:
        checks[first] = replace(checks[first], decisive=True)
    return Explanation(grant_type, first is None, tuple(checks), outcome)
