"""Request dependencies: the runtime, the authenticated caller and role checks.

Every ``/v1`` route declares its sufficient roles with ``require(...)``, or that a valid
token is enough with ``authenticated_only()`` (spec §2.6: ``GET /me``, ``GET /me/usergroups``).
Verification is a signature check against an in-memory key and lookups in the per-process
standing cache (``oauth.standing``): no database query once the token's client, user and
company are cached, yet a deactivation or revocation stops the token on the next request.
"""

# NOTE: no ``from __future__ import annotations`` here. FastAPI reads the annotations of
# ``RouteRequirement.__call__`` at run time, and a callable instance has no ``__globals__`` in
# which older FastAPI releases (this project allows >= 0.115) could resolve annotation strings.

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


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def get_services(request: Request) -> Services:
    """The process's services (``services.registry``), bound once at start-up."""
    return cast(Runtime, request.app.state.runtime).services


ServicesDep = Annotated[Services, Depends(get_services)]


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


@dataclass(frozen=True, slots=True)
class CompanyBoundary:
    """The organisation a route lives under: ``/buyers/{buyerID}`` or
    ``/suppliers/{supplierID}``."""

    company_type: UserType
    path_param: str

    def admit(self, request: Request, caller: Caller) -> None:
        """A buyer or supplier user reaching into another company gets 404 ``NotFound`` for
        that company, so other companies' existence is not revealed."""
        if caller.user_type is UserType.ADMIN:
            return
        target = str(request.path_params.get(self.path_param, ""))
        if not may_act_in_company(caller.user_type, caller.company_id, self.company_type, target):
            object_type = "Buyer" if self.company_type is UserType.BUYER else "Supplier"
            raise NotFoundError(object_type, target)


@dataclass(frozen=True, slots=True)
class RouteRequirement:
    """What a ``/v1`` route demands of its caller, and itself the FastAPI dependency checking
    it (FastAPI resolves the parameters of ``__call__``).

    The route-table tests and the OpenAPI document read these fields to prove, and to show,
    what every route refuses. Built by ``require``, ``authenticated_only`` and
    ``require_company_access``.
    """

    roles: tuple[str, ...]
    """Sufficient roles, sorted (FullAccess passes every check); empty only when
    ``token_only``."""
    seller_only: bool = False
    """Buyer and supplier users are refused whatever their roles (spec §2.2)."""
    token_only: bool = False
    """Any valid token will do (spec §2.6), said explicitly so that a route needing no role
    differs from one that forgot to declare its roles."""
    company: CompanyBoundary | None = None

    async def __call__(
        self, request: Request, caller: Annotated[Caller, Depends(within_rate_limit)]
    ) -> Caller:
        if self.seller_only and caller.user_type is not UserType.ADMIN:
            raise ForbiddenError(
                "Auth.UserNotAuthorizedToAdmin",
                "This resource is forbidden for this user type regardless of role(s).",
                {"UserType": caller.user_type.value},
            )
        if not self.token_only and not satisfies(caller.roles, self.roles):
            raise ForbiddenError(
                data={
                    "SufficientRoles": [ApiRole.FullAccess.value, *self.roles],
                    "AssignedRoles": sorted(caller.roles),
                }
            )
        if self.company is not None:
            self.company.admit(request, caller)
        return caller


def require(*roles: ApiRole, seller_only: bool = False) -> RouteRequirement:
    """A dependency passing callers holding any of ``roles`` (FullAccess passes every check).

    ``seller_only`` resources (ApiClients, SecurityProfiles, …) refuse buyer and supplier
    users whatever their roles (spec §2.2).
    """
    return RouteRequirement(tuple(sorted(role.value for role in roles)), seller_only)


def authenticated_only() -> RouteRequirement:
    """A dependency passing every caller with a valid token, whatever its roles (spec §2.6)."""
    return RouteRequirement((), token_only=True)


def require_company_access(
    *roles: ApiRole, company_type: UserType, path_param: str
) -> RouteRequirement:
    """Roles as ``require``, plus the organisation boundary for routes under
    ``/buyers/{buyerID}`` or ``/suppliers/{supplierID}`` (``CompanyBoundary``)."""
    sufficient = tuple(sorted(role.value for role in roles))
    return RouteRequirement(sufficient, company=CompanyBoundary(company_type, path_param))


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
