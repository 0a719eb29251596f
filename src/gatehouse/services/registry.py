"""The services, bound once per process to what they need (database, clock, hasher, …).

``Services.build`` is the one place that wires them; the runtime builds it at start-up and the
HTTP layer hands it to routes (``http.deps.ServicesDep``), so no route passes a database, a
clock or a hasher along, and no service takes more than its own arguments.
"""

from __future__ import annotations

from dataclasses import dataclass

from gatehouse.crypto import PasswordHasher
from gatehouse.domain.clock import Clock
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

    @classmethod
    def build(cls, db: Database, clock: Clock, hasher: PasswordHasher) -> Services:
        deps = ServiceDeps(db, clock, hasher)
        return cls(
            deps=deps,
        )
