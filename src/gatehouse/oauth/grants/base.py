"""What every grant shares: client authentication, the access decision, role arithmetic and
signing (spec §3.3–3.5, decisions.md's token table).

Every grant authenticates its client first with
``await authenticate_client(session, request, now)``, ``now`` being ``ctx.clock.now()``: the
time against which named secrets' expiry is judged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from gatehouse.crypto import constant_time_equals, sha256_hex
from gatehouse.domain.access import ClientAccess, Denied, decide_access
from gatehouse.domain.api_clients import ApiClient
from gatehouse.domain.clock import Clock
from gatehouse.domain.ids import normalize_client_id
from gatehouse.domain.origins import client_allows
from gatehouse.domain.roles import RoleSet, grant_roles, missing_minimum_roles, parse_scope
from gatehouse.domain.users import UserIdentity, UserType
from gatehouse.oauth.errors import (
    InvalidClientError,
    InvalidGrantError,
    InvalidRequestError,
    invalid_client_id,
    invalid_client_secret,
    origin_not_allowed,
)
from gatehouse.oauth.jwt import TokenCodec
from gatehouse.oauth.minting import mint_access_token
from gatehouse.oauth.server import TokenRequest, TokenResponse, current_attempt
from gatehouse.oauth.store import ClientRecord, TokenStoreSession


@dataclass(frozen=True, slots=True)
class GrantContext:
    codec: TokenCodec
    clock: Clock
    issuer: str


async def authenticate_client(
    session: TokenStoreSession, request: TokenRequest, now: datetime
) -> ClientRecord:
    """Unknown client → 401; a client with a secret requires a valid one (every grant);
    inactive → 401; a browser request from an origin the client does not list → 400
    ``unauthorized_client`` ``Auth.OriginNotAllowed``."""
    if not request.client_id:
        raise InvalidRequestError("Auth.ClientIDRequired", "client_id is required.")
    record = await session.find_client(normalize_client_id(request.client_id))
    if record is None:
        raise invalid_client_id()
    note_client(record)
    if not any(
        [
            secret_matches(record, request.client_secret, now),
            request.basic_secret_as_sent is not None
            and secret_matches(record, request.basic_secret_as_sent, now),
        ]
    ):
        raise invalid_client_secret()
    if not record.client.active:
        raise InvalidClientError("Auth.ClientNotActive", "Client ID is not active.")
    if request.origin is not None and not client_allows(record.allowed_origins, request.origin):
        raise origin_not_allowed(request.origin)
    return record


def note_client(record: ClientRecord) -> None:
    """Tell the request's ``TokenAttempt`` (audit, metrics) which client it is for."""
    attempt = current_attempt()
    if attempt is not None:
        attempt.marketplace_id = record.marketplace_id
        attempt.client_id = record.client.id


def note_user(user: UserIdentity) -> None:
    """Tell the request's ``TokenAttempt`` which user the token is (or would be) for."""
    attempt = current_attempt()
    if attempt is not None:
        attempt.user_internal_id = user.internal_id
        attempt.username = user.username
        attempt.user_type = user.user_type.value


def secret_matches(record: ClientRecord, presented: str | None, now: datetime) -> bool:
    """A client without any secret accepts any request; otherwise the presented value must
    equal the legacy ``ClientSecret`` or match a named secret that has not expired
    (decisions.md "Secrets"). Every candidate is compared, in constant time, so timing tells
    nothing about which one (if any) matched."""
    if not record.has_secret:
        return True
    if not presented:
        return False
    client = record.client
    legacy = client.has_legacy_secret and constant_time_equals(
        presented, client.client_secret or ""
    )
    digest = sha256_hex(presented)
    named = [
        constant_time_equals(digest, named.sha256) and named.is_live(now)
        for named in record.named_secrets
    ]
    return legacy or any(named)


async def check_access(
    session: TokenStoreSession, record: ClientRecord, user: UserIdentity
) -> None:
    """The flag-or-assignment rule and active states; assignments are read only if needed."""
    note_user(user)
    client = record.client
    needs_assignments = (user.user_type is UserType.BUYER and not client.allow_any_buyer) or (
        user.user_type is UserType.SUPPLIER and not client.allow_any_supplier
    )
    buyers, suppliers = (
        await session.assigned_companies(client.id) if needs_assignments else ((), ())
    )
    access = ClientAccess(
        active=client.active,
        allow_seller=client.allow_seller,
        allow_any_buyer=client.allow_any_buyer,
        allow_any_supplier=client.allow_any_supplier,
        assigned_buyer_ids=buyers,
        assigned_supplier_ids=suppliers,
    )
    decision = decide_access(access, user, marketplace_active=record.marketplace_active)
    if isinstance(decision, Denied):
        raise InvalidGrantError(decision.code, decision.message)


def token_roles(client: ApiClient, available: RoleSet, scope: str | None) -> frozenset[str]:
    """scope ∩ AvailableRoles ∩ the client's maximum; refuse if a minimum role is missing."""
    missing = missing_minimum_roles(available, client.role_limits)
    if missing:
        raise InvalidGrantError(
            "Auth.InsufficientRoles",
            "The user lacks roles this API client requires.",
            {"MissingRoles": sorted(missing)},
        )
    return grant_roles(available, parse_scope(scope), client.role_limits)


async def issue_access_token(
    ctx: GrantContext, client: ApiClient, user: UserIdentity, roles: frozenset[str]
) -> TokenResponse:
    minted = await mint_access_token(ctx, client, user, roles)
    return TokenResponse(access_token=minted.access_token, expires_in=minted.expires_in)
