"""Where a company type's resources live under ``/v1``: one typed description of buyers and
suppliers that their routers share (companies, user groups), instead of each repeating the
path parameter, the user type and the company role check.

``/v1/buyers/{buyerID}/…`` and ``/v1/suppliers/{supplierID}/…`` differ only in these values;
the routers add their own roles and wire formats.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from gatehouse.domain.companies import CompanyKind
from gatehouse.domain.roles import ApiRole
from gatehouse.domain.users import UserType
from gatehouse.http.deps import Caller, RouteRequirement, require_company_access

RoleCheck = Callable[..., Awaitable[Caller]]


async def buyer_id(buyerID: str) -> str:
    """The ``{buyerID}`` path parameter, as a route dependency of handlers shared by buyers and
    suppliers (they read the company from the path): FastAPI validates and documents it here.
    ``async``: FastAPI runs a plain ``def`` dependency in its thread pool, a thread hop per
    request to return a string."""
    return buyerID


async def supplier_id(supplierID: str) -> str:
    """The ``{supplierID}`` path parameter; see ``buyer_id``."""
    return supplierID


@dataclass(frozen=True, slots=True)
class CompanyPath:
    """One company type's place in the URL: its kind, its path parameter and the dependency
    that validates and documents that parameter."""

    kind: CompanyKind
    path_param: str
    path_dependency: Callable[[str], Awaitable[str]]

    @property
    def user_type(self) -> UserType:
        return self.kind.user_type

    @property
    def collection(self) -> str:
        """``buyers`` or ``suppliers``: the path segment after ``/v1``."""
        return f"{self.kind.value}s"

    @property
    def prefix(self) -> str:
        """``/buyers/{buyerID}``: where the company's own resources live."""
        return f"/{self.collection}/{{{self.path_param}}}"

    def check(self, *roles: ApiRole) -> RouteRequirement:
        """Any of ``roles``, and for buyer and supplier users only within their own company."""
        return require_company_access(
            *roles, company_type=self.user_type, path_param=self.path_param
        )


BUYER_PATH = CompanyPath(CompanyKind.BUYER, "buyerID", buyer_id)
SUPPLIER_PATH = CompanyPath(CompanyKind.SUPPLIER, "supplierID", supplier_id)
COMPANY_PATHS = (BUYER_PATH, SUPPLIER_PATH)
