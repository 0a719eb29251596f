"""Builds one process's ``SsoFlow`` from the runtime: its own HTTP client (timeouts from the
settings, no redirects followed, closed at shutdown) and the IdP metadata cache."""

from __future__ import annotations

from gatehouse.oauth.grants.base import GrantContext
from gatehouse.runtime import Runtime
from gatehouse.services.openid_connects import OpenIdConnects
from gatehouse.sso.flow import SsoFlow
from gatehouse.sso.http_client import SsoHttp
from gatehouse.sso.identities import IdentityResolver
from gatehouse.sso.idp import IdpClient
from gatehouse.storage.queries.token_store import SqlTokenStore


def build_flow(runtime: Runtime) -> tuple[SsoFlow, SsoHttp]:
    settings = runtime.settings
    http = SsoHttp(settings.sso_idp_timeout_seconds)
    ctx = GrantContext(runtime.codec, runtime.clock, settings.effective_base_url)
    flow = SsoFlow(
        db=runtime.db,
        settings=settings,
        ctx=ctx,
        configs=OpenIdConnects(runtime.db, runtime.clock, runtime.secret_box),
        idp=IdpClient(http),
        identities=IdentityResolver(runtime.db, ctx, settings, http),
        store=SqlTokenStore(
            runtime.db, runtime.client_records, runtime.grant_subjects, runtime.refresh_tokens
        ),
        observers=(runtime.audit,),
    )
    return flow, http
