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
from gatehouse.services.impersonation import ImpersonationService
from gatehouse.services.me import MeService
from gatehouse.services.password_reset import PasswordResetService
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
    impersonation: ImpersonationService
    me: MeService
    password_reset: PasswordResetService
    user_tokens: UserTokenService
    users: UserService

    @classmethod
    def build(cls, db: Database, clock: Clock, hasher: PasswordHasher) -> Services:
        deps = ServiceDeps(db, clock, hasher)
        users = UserService(deps)
        return cls(
            deps=deps,
            anonymous=AnonymousService(deps),
            impersonation=ImpersonationService(deps),
            me=MeService(deps, users),
            password_reset=PasswordResetService(deps),
            user_tokens=UserTokenService(deps),
            users=users,
        )
