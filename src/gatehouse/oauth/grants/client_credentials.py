"""The client credentials grant, as the client's default context user (spec §3.2, §3.9;
decisions.md "Grants and tokens").

    POST /oauth/token
    Content-Type: application/x-www-form-urlencoded

    grant_type=client_credentials&client_id=…&client_secret=…&scope=OrderAdmin

The token is issued *as* the client's ``DefaultContextUserName`` ("as far as OrderCloud knows,
you are the default context user"): its ``usr``, ``u``, ``usrtype`` and roles (scope ∩ the
user's AvailableRoles ∩ the client's maximum, with the client's minimum roles required). The
client access rule (flags and assignments) and the user, company and marketplace states apply
to that user exactly as to a password login. There is no password, so no lockout; there is no
refresh token; and the whole grant is reads in one read transaction: it writes nothing.

On an ``IsAnonBuyer`` client the same request is the anonymous shopping grant (spec §3.9):
no secret unless the client has one, and the token is a fresh temporary user made from the
template (the DCU, a buyer user): ``usr`` = the template's username, no ``u``, a new
``orderid`` (the cart it may create), ``anonuserid`` when sent, lifetime
``AnonymousTokenDuration``. Nothing is stored: the token itself is the temporary user.
"""

from __future__ import annotations

from gatehouse.domain.access import (
    DCU_NOT_FOUND,
    DCU_REQUIRED,
    NO_CLIENT_SECRET,
    client_credentials_refusal,
)
from gatehouse.domain.ids import is_valid_id, new_object_id
from gatehouse.domain.tokens import TokenSubject, access_token_claims, token_times
from gatehouse.domain.usage import ANONYMOUS_GRANT
from gatehouse.domain.users import UserIdentity, UserType
from gatehouse.oauth.errors import InvalidGrantError, InvalidRequestError, invalid_client_secret
from gatehouse.oauth.grants.base import (
    GrantContext,
    authenticate_client,
    check_access,
    issue_access_token,
    token_roles,
)
from gatehouse.oauth.server import TokenRequest, TokenResponse, current_attempt
from gatehouse.oauth.store import ClientRecord, TokenStore


class ClientCredentialsGrant:
    grant_type = "client_credentials"

    def __init__(self, store: TokenStore, ctx: GrantContext) -> None:
        self._store = store
        self._ctx = ctx

    async def issue(self, request: TokenRequest) -> TokenResponse:
        anon_user_id = checked_anon_user_id(request.anonuserid)
        async with self._store.session() as session:
            record = await authenticate_client(session, request, self._ctx.clock.now())
            if record.client.is_anon_buyer:
                name_anonymous_grant()
            username = default_context_username(record)
            user = await session.find_user_by_username(record.marketplace_id, username)
            if user is None:
                raise InvalidGrantError(DCU_NOT_FOUND.code, DCU_NOT_FOUND.message)
            await check_access(session, record, user)
            available = await session.available_roles(record.marketplace_id, user.internal_id)
        roles = token_roles(record.client, available, request.scope)
        if record.client.is_anon_buyer:
            return await self._anonymous_token(record, user, roles, anon_user_id)
        return await issue_access_token(self._ctx, record.client, user, roles)

    async def _anonymous_token(
        self,
        record: ClientRecord,
        template: UserIdentity,
        roles: frozenset[str],
        anon_user_id: str | None,
    ) -> TokenResponse:
        """A temporary user: the template's name and roles, no ``u``, a fresh ``orderid``."""
        if template.user_type is not UserType.BUYER:
            raise InvalidGrantError(
                "ApiClient.RequiredNotAnonBuyer",
                "IsAnonBuyer can be true only when a buyer user is set as the Default Context "
                "User.",
            )
        client = record.client
        times = token_times(self._ctx.clock.now(), client.anonymous_token_duration)
        subject = TokenSubject(
            username=template.username,
            client_id=client.id,
            user_type=UserType.BUYER,
            internal_user_id=None,
            roles=roles,
            order_id=new_object_id(),
            anon_user_id=anon_user_id,
        )
        token = await self._ctx.codec.sign(access_token_claims(subject, times, self._ctx.issuer))
        return TokenResponse(access_token=token, expires_in=times.expires_in)


def name_anonymous_grant() -> None:
    """From here on the request is the anonymous grant: the audit trail (``GrantType``),
    the metrics' ``grant_type`` label, usage counts and the access log say ``anonymous``,
    not ``client_credentials``."""
    attempt = current_attempt()
    if attempt is not None:
        attempt.grant_type = ANONYMOUS_GRANT


def checked_anon_user_id(value: str | None) -> str | None:
    """``anonuserid`` ends up in a signed claim: ID characters only, at most 100 of them."""
    if value is not None and not is_valid_id(value):
        raise InvalidRequestError(
            "Auth.InvalidAnonUserID",
            "anonuserid may contain only letters, digits, - and _, up to 100 characters.",
        )
    return value


def default_context_username(record: ClientRecord) -> str:
    """Who the token is for, once the client may use this grant at all
    (``client_credentials_refusal``, shared with the explain endpoint). A missing secret is
    401 ``invalid_client``; the other refusals are 400 ``invalid_grant``. The secret itself
    was checked by ``authenticate_client``."""
    client = record.client
    refusal = client_credentials_refusal(
        is_anon_buyer=client.is_anon_buyer,
        has_secret=record.has_secret,
        default_context_username=client.default_context_username,
    )
    if refusal is NO_CLIENT_SECRET:
        raise invalid_client_secret()
    if refusal is not None or not client.default_context_username:
        denial = refusal or DCU_REQUIRED
        raise InvalidGrantError(denial.code, denial.message)
    return client.default_context_username
