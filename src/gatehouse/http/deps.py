"""Request dependencies: the runtime, the authenticated caller and role checks.

Every ``/v1`` route declares its sufficient roles with ``require(...)``, or that a valid
token is enough with ``authenticated_only()`` (spec §2.6: ``GET /me``, ``GET /me/usergroups``).
Verification is a signature check against an in-memory key and lookups in the per-process
standing cache (``oauth.standing``): no database query once the token's client, user and
company are cached, yet a deactivation or revocation stops the token on the next request.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any, cast

from fastapi import Depends, Request

from gatehouse.domain.audit import Actor
from gatehouse.domain.authorization import may_act_in_company
from gatehouse.domain.errors import (
    AnonUserProhibitedError,
    ForbiddenError,
    NotFoundError,
    TokenRevokedError,
    UnauthenticatedError,
)
from gatehouse.domain.origins import OriginNotAllowedError, client_allows
from gatehouse.domain.rate_limits import RateLimitedError
from gatehouse.domain.roles import ApiRole, roles_from_claim, satisfies
from gatehouse.domain.token_standing import Standing
from gatehouse.domain.users import UserType
from gatehouse.http.cors import CROSS_ORIGIN
from gatehouse.oauth.revoked import verdict_of
from gatehouse.runtime import Runtime
from gatehouse.services.registry import Services


def get_runtime(request: Request) -> Runtime:
    return cast(Runtime, request.app.state.runtime)


async def _runtime(request: Request) -> Runtime:
    # ``async``: FastAPI runs a plain ``def`` dependency in its thread pool, a thread hop
    # per request for a dictionary lookup.
    return cast(Runtime, request.app.state.runtime)


RuntimeDep = Annotated[Runtime, Depends(_runtime)]


def get_services(request: Request) -> Services:
    """The process's services (``services.registry``), bound once at start-up."""
    return cast(Runtime, request.app.state.runtime).services


async def _services(request: Request) -> Services:
    return cast(Runtime, request.app.state.runtime).services


ServicesDep = Annotated[Services, Depends(_services)]


@dataclass(frozen=True, slots=True)
class Caller:
    """The authenticated caller of a ``/v1`` request, from its verified token."""

    marketplace_id: str
    client_id: str
    username: str
    user_type: UserType
    internal_user_id: int | None
    roles: frozenset[str]
    claims: dict[str, Any]
    company_id: str | None = None
    """The caller's buyer or supplier (for anonymous tokens, the template user's), ``None``
    for seller users; known from the verification cache, so it costs no query."""
    subject_id: int | None = None
    """The internal id of the user the token acts as: ``u``, or for anonymous tokens their
    template user (also from the verification cache)."""

    @property
    def order_id(self) -> str | None:
        """The anonymous user's order (``orderid`` claim), ``None`` for registered users."""
        found = self.claims.get("orderid")
        return found if isinstance(found, str) else None

    @property
    def is_anonymous(self) -> bool:
        """Anonymous (temporary) users carry an ``orderid`` and no ``u`` (spec §3.9)."""
        return self.order_id is not None

    @property
    def impersonator_id(self) -> int | None:
        """The impersonating user's internal id (``imp`` claim, spec §3.10)."""
        found = self.claims.get("imp")
        return int(found) if isinstance(found, str) and found.isdigit() else None


async def authenticate(request: Request, runtime: RuntimeDep) -> Caller:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise UnauthenticatedError()
    claims = await runtime.codec.verify(token.strip())
    try:
        client_id = str(claims["cid"])
        user_type = UserType(claims["usrtype"])
        username = str(claims["usr"])
    except (KeyError, ValueError) as exc:
        raise UnauthenticatedError() from exc
    verdict = await verdict_of(runtime.standing, runtime.revoked, claims)
    if verdict.standing is Standing.REVOKED:
        raise TokenRevokedError()
    if verdict.standing is not Standing.VALID or verdict.client is None:
        raise UnauthenticatedError()
    request.state.metrics_client = (verdict.client.marketplace_id, verdict.client.client_id)
    origin = request.scope.get(CROSS_ORIGIN)
    if origin is not None and not client_allows(verdict.client.allowed_origins, origin):
        raise OriginNotAllowedError(data={"Origin": origin[:300]})
    internal = claims.get("u")
    return Caller(
        marketplace_id=verdict.client.marketplace_id,
        client_id=client_id,
        username=username,
        user_type=user_type,
        internal_user_id=int(internal)
        if isinstance(internal, str) and internal.isdigit()
        else None,
        roles=roles_from_claim(claims.get("role")),
        claims=claims,
        company_id=verdict.user.company_id if verdict.user is not None else None,
        subject_id=verdict.user.internal_id if verdict.user is not None else None,
    )


async def within_rate_limit(
    request: Request, runtime: RuntimeDep, caller: Annotated[Caller, Depends(authenticate)]
) -> Caller:
    """The caller, once its client's API bucket (``ApiRequestsPerMinute``) gave a token: every
    ``/v1`` request takes one, before any role check (429 ``RateLimit.Exceeded``)."""
    if str(request.scope.get("path", "")).startswith("/v1/"):
        wait = await runtime.limits.api_wait(caller.client_id)
        if wait is not None:
            raise RateLimitedError(wait)
    return caller


def require(*roles: ApiRole, seller_only: bool = False) -> Callable[..., Awaitable[Caller]]:
    """A dependency passing callers holding any of ``roles`` (FullAccess passes every check).

    ``seller_only`` resources (ApiClients, SecurityProfiles, …) refuse buyer and supplier
    users whatever their roles (spec §2.2).
    """
    sufficient = sorted(role.value for role in roles)

    async def check(caller: Annotated[Caller, Depends(within_rate_limit)]) -> Caller:
        if seller_only and caller.user_type is not UserType.ADMIN:
            raise ForbiddenError(
                "Auth.UserNotAuthorizedToAdmin",
                "This resource is forbidden for this user type regardless of role(s).",
                {"UserType": caller.user_type.value},
            )
        if not satisfies(caller.roles, sufficient):
            raise ForbiddenError(
                data={
                    "SufficientRoles": [ApiRole.FullAccess.value, *sufficient],
                    "AssignedRoles": sorted(caller.roles),
                }
            )
        return caller

    # Introspected by the route-table tests, which prove every route refuses callers
    # without one of these roles.
    check.sufficient_roles = tuple(sufficient)  # type: ignore[attr-defined]
    check.seller_only = seller_only  # type: ignore[attr-defined]
    return check


def authenticated_only() -> Callable[..., Awaitable[Caller]]:
    """A dependency passing every caller with a valid token, whatever its roles (spec §2.6).

    Declared explicitly, like ``require``, so the route-table tests can tell a route that
    needs no role from one that forgot to declare its roles.
    """

    async def check(caller: Annotated[Caller, Depends(within_rate_limit)]) -> Caller:
        return caller

    check.sufficient_roles = ()  # type: ignore[attr-defined]
    check.seller_only = False  # type: ignore[attr-defined]
    check.token_only = True  # type: ignore[attr-defined]
    return check


def require_company_access(
    *roles: ApiRole, company_type: UserType, path_param: str
) -> Callable[..., Awaitable[Caller]]:
    """Roles as ``require``, plus the organisation boundary for routes under
    ``/buyers/{buyerID}`` or ``/suppliers/{supplierID}``.

    A buyer or supplier user reaching into another company gets 404 ``NotFound`` for that
    company, so other companies' existence is not revealed.
    """
    role_check = require(*roles)
    object_type = "Buyer" if company_type is UserType.BUYER else "Supplier"

    # A default, not ``Annotated[...]``: with postponed annotations FastAPI resolves annotation
    # strings in module globals, where the local ``role_check`` does not exist.
    async def check(request: Request, caller: Caller = Depends(role_check)) -> Caller:
        target = str(request.path_params.get(path_param, ""))
        if caller.user_type is UserType.ADMIN:
            return caller
        if not may_act_in_company(caller.user_type, caller.company_id, company_type, target):
            raise NotFoundError(object_type, target)
        return caller

    check.company_type = company_type  # type: ignore[attr-defined]
    check.path_param = path_param  # type: ignore[attr-defined]
    return check


def refuse_anonymous(caller: Caller) -> None:
    """The Me writes decisions.md reserves for registered users: 403 ``Auth.AnonUserProhibited``
    for anonymous tokens."""
    if caller.is_anonymous:
        raise AnonUserProhibitedError()


def actor(caller: Caller) -> Actor:
    """The caller as the audit trail's actor (who, through which client)."""
    return Actor(
        "user",
        user_internal_id=caller.internal_user_id,
        username=caller.username,
        user_type=caller.user_type.value,
        client_id=caller.client_id,
    )
