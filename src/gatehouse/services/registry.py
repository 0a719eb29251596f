"""The services, bound once per process to what they need (database, clock, hasher, …).

``Services.build`` is the one place that wires them; the runtime builds it at start-up and the
HTTP layer hands it to routes (``http.deps.ServicesDep``), so no route passes a database, a
clock or a hasher along, and no service takes more than its own arguments.
"""

from __future__ import annotations

from dataclasses import dataclass

from gatehouse.crypto import PasswordHasher
from gatehouse.domain.clock import Clock
from gatehouse.services.anonymous import AnonymousService
from gatehouse.services.api_client_origins import ApiClientOriginService
from gatehouse.services.api_client_secrets import ApiClientSecretService
from gatehouse.services.api_clients import ApiClientService
from gatehouse.services.companies import CompanyService
from gatehouse.services.explain import ExplainService
from gatehouse.services.impersonation import ImpersonationService
from gatehouse.services.impersonation_configs import ImpersonationConfigService
from gatehouse.services.incidents import IncidentService
from gatehouse.services.inventory import InventoryService
from gatehouse.services.me import MeService
from gatehouse.services.openid_connects import IntegrationEventService
from gatehouse.services.orders import OrderService
from gatehouse.services.password_reset import PasswordResetService
from gatehouse.services.rate_limits import RateLimitService
from gatehouse.services.review import ReviewService
from gatehouse.services.security_profiles import SecurityProfileService
from gatehouse.services.user_groups import UserGroupService
from gatehouse.services.users import UserService, UserTokenService
from gatehouse.storage.db import Database


@dataclass(frozen=True, slots=True)
class ServiceDeps:
    """What services are bound to: shared by every service of one process."""

    db: Database
    clock: Clock
    hasher: PasswordHasher


@dataclass(frozen=True, slots=True)
class Services:
    """Every service of one process, each built once (add a field and a line in ``build``)."""

    deps: ServiceDeps
    anonymous: AnonymousService
    api_client_origins: ApiClientOriginService
    api_client_secrets: ApiClientSecretService
    api_clients: ApiClientService
    companies: CompanyService
    explain: ExplainService
    impersonation: ImpersonationService
    impersonation_configs: ImpersonationConfigService
    incidents: IncidentService
    integration_events: IntegrationEventService
    inventory: InventoryService
    me: MeService
    orders: OrderService
    password_reset: PasswordResetService
    rate_limits: RateLimitService
    review: ReviewService
    security_profiles: SecurityProfileService
    user_groups: UserGroupService
    user_tokens: UserTokenService
    users: UserService

    @classmethod
    def build(cls, db: Database, clock: Clock, hasher: PasswordHasher) -> Services:
        deps = ServiceDeps(db, clock, hasher)
        users = UserService(deps)
        return cls(
            deps=deps,
            anonymous=AnonymousService(deps),
            api_client_origins=ApiClientOriginService(deps),
            api_client_secrets=ApiClientSecretService(deps),
            api_clients=ApiClientService(deps),
            companies=CompanyService(deps),
            explain=ExplainService(deps),
            impersonation=ImpersonationService(deps),
            impersonation_configs=ImpersonationConfigService(deps),
            incidents=IncidentService(deps),
            integration_events=IntegrationEventService(deps),
            inventory=InventoryService(deps),
            me=MeService(deps, users),
            orders=OrderService(deps),
            password_reset=PasswordResetService(deps),
            rate_limits=RateLimitService(deps),
            review=ReviewService(deps),
            security_profiles=SecurityProfileService(deps),
            user_groups=UserGroupService(deps),
            user_tokens=UserTokenService(deps),
            users=users,
        )
