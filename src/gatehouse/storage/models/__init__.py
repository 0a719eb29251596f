"""SQLAlchemy tables, one module per area; this package re-exports them all, so
``from gatehouse.storage.models import X`` keeps working. These classes never leave
``storage/`` (an import-linter contract): query functions map them to domain objects and the
HTTP layer has its own wire schemas.

Party columns in assignment tables hold ``''`` rather than NULL for "not set", so one plain
unique constraint makes each assignment idempotent on both SQLite and PostgreSQL (NULLs are
distinct in unique constraints on both).
"""

from __future__ import annotations

from gatehouse.storage.models._base import ID, MICROS_TYPE, Base, UtcDateTime
from gatehouse.storage.models.activity import (
    AuditEventRow,
    ClientLastUsedRow,
    ClientRateLimitRow,
    ClientUsageRow,
    MarketplaceRateLimitRow,
)
from gatehouse.storage.models.marketplaces import (
    ApiClientAssignmentRow,
    ApiClientRow,
    ApiClientSecretRow,
    ConsoleClientRow,
    Marketplace,
)
from gatehouse.storage.models.orders import ConsumedAnonTokenRow, OrderRow
from gatehouse.storage.models.security_profiles import (
    ImpersonationConfigRow,
    SecurityProfileAssignmentRow,
    SecurityProfileRow,
)
from gatehouse.storage.models.sso import (
    IntegrationEventRow,
    OpenIdConnectRow,
    SsoIdentityLinkRow,
    SsoStateRow,
)
from gatehouse.storage.models.tokens import RefreshTokenRow, RevokedAccessTokenRow, SigningKeyRow
from gatehouse.storage.models.users import (
    BuyerRow,
    Company,
    LoginDecoyRow,
    SupplierRow,
    UserGroupAssignmentRow,
    UserGroupRow,
    UserRow,
)

__all__ = [
    "ID",
    "MICROS_TYPE",
    "ApiClientAssignmentRow",
    "ApiClientRow",
    "ApiClientSecretRow",
    "AuditEventRow",
    "Base",
    "BuyerRow",
    "ClientLastUsedRow",
    "ClientRateLimitRow",
    "ClientUsageRow",
    "Company",
    "ConsoleClientRow",
    "ConsumedAnonTokenRow",
    "ImpersonationConfigRow",
    "IntegrationEventRow",
    "LoginDecoyRow",
    "Marketplace",
    "MarketplaceRateLimitRow",
    "OpenIdConnectRow",
    "OrderRow",
    "RefreshTokenRow",
    "RevokedAccessTokenRow",
    "SecurityProfileAssignmentRow",
    "SecurityProfileRow",
    "SigningKeyRow",
    "SsoIdentityLinkRow",
    "SsoStateRow",
    "SupplierRow",
    "UserGroupAssignmentRow",
    "UserGroupRow",
    "UserRow",
    "UtcDateTime",
]
