"""The SSO browser flow over HTTP against a real (in-process, threaded) HTTP identity provider
and a real integration-event receiver: the happy path, the identity link, ``/syncuser``,
durations and refresh, and what the IdP and the receiver received."""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import urlsplit

import jwt

from gatehouse.domain.sso import oc_hash
from gatehouse.runtime import Runtime
from tests.factories.sso import HASH_KEY, Sso, ok, random_sub, redirect_query


def claims_of(token: str) -> dict[str, Any]:
    return jwt.decode(token, options={"verify_signature": False})


async def test_first_sign_in_creates_the_user_and_issues_a_token(sso: Sso) -> None:
    sent = await sso.start(roles="Shopper MeAdmin OrderAdmin", appstartpath="/products/x")
    assert sent["response_type"] == "code"
    assert sent["client_id"] == sso.idp.client_id
    assert sent["redirect_uri"] == "http://gatehouse.test/ocrpcode"
    assert sent["scope"] == "openid profile email"
    assert sent["code_challenge_method"] == "S256"
    assert len(sent["state"]) >= 40 and len(sent["nonce"]) >= 40

    response = await sso.callback(sent, sub="alice-sub", email="alice@corp.example")
    assert response.status_code == 302, response.text
    location = urlsplit(response.headers["location"])
    assert (location.scheme, location.netloc, location.path) == (
        "https",
        "shop.example",
        "/app/products/x",
    )
    query = redirect_query(response)
    claims = claims_of(query["token"])
    assert claims["usr"] == "alice@corp.example"
    assert claims["cid"] == sso.client_id
    assert claims["usrtype"] == "buyer"
    assert sorted(claims["role"]) == ["MeAdmin", "Shopper"]  # OrderAdmin: not the user's
    assert claims["exp"] - claims["nbf"] == 30 * 60  # the client's AccessTokenDuration
    assert query["idp"].startswith("idp-access-")
    assert query["idprefresh"].startswith("idp-refresh-")
    assert query["refresh"]  # RefreshTokenDuration 60
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["referrer-policy"] == "no-referrer"

    # The token works on the API, and the refresh token at /oauth/token.
    me = await ok(
        await sso.http.get("/v1/me", headers={"Authorization": f"Bearer {query['token']}"})
    )
    assert me["Username"] == "alice@corp.example"
    refreshed = await sso.http.post(
        "/oauth/token",
        data={
            "grant_type": "refresh_token",
            "client_id": sso.client_id,
            "refresh_token": query["refresh"],
        },
    )
    assert refreshed.status_code == 200, refreshed.text


async def test_the_receiver_got_a_signed_payload_with_an_elevated_token(sso: Sso) -> None:
    sent = await sso.start()
    redirect_query(await sso.callback(sent, sub=random_sub()))
    [call] = sso.receiver.calls
    assert call["path"] == "/hooks/createuser"
    assert sso.receiver.bad_hashes == 0
    payload = call["payload"]
    assert payload["ExistingUser"] is None
    assert payload["Environment"] == "Production"
    assert payload["ConfigData"] == {"BuyerID": "b1"}
    assert payload["OpenIdConnect"]["ID"] == "google"
    assert payload["OpenIdConnect"]["ConnectClientSecret"] is None
    assert set(payload["TokenResponse"]) == {"id_token", "access_token"}
    elevated = claims_of(payload["OrderCloudAccessToken"])
    assert elevated["role"] == "BuyerUserAdmin"
    assert elevated["usrtype"] == "admin"
    assert elevated["exp"] - elevated["nbf"] <= 600


async def test_the_code_exchange_uses_basic_and_json_unless_url_encoded(sso: Sso) -> None:
    sent = await sso.start()
    redirect_query(await sso.callback(sent, sub=random_sub()))
    first = sso.idp.token_requests[-1]
    assert first["content_type"].startswith("application/json")
    assert set(first["params"]) == {"grant_type", "code", "redirect_uri", "code_verifier"}

    await sso.patch_config(UrlEncoded=True)
    sent = await sso.start()
    redirect_query(await sso.callback(sent, sub=random_sub()))
    second = sso.idp.token_requests[-1]
    assert second["content_type"].startswith("application/x-www-form-urlencoded")
    assert second["params"]["client_secret"] == sso.idp.client_secret


async def test_a_linked_identity_signs_in_without_createuser_and_syncs_when_asked(
    sso: Sso,
) -> None:
    sub = random_sub()
    redirect_query(await sso.callback(await sso.start(), sub=sub))
    redirect_query(await sso.callback(await sso.start(), sub=sub))
    assert [c["path"] for c in sso.receiver.calls] == ["/hooks/createuser"]

    await sso.patch_config(CallSyncUserIntegrationEvent=True)
    query = redirect_query(await sso.callback(await sso.start(), sub=sub))
    assert [c["path"] for c in sso.receiver.calls][-1] == "/hooks/syncuser"
    existing = sso.receiver.calls[-1]["payload"]["ExistingUser"]
    assert existing["Username"] == f"{sub}@corp.example"
    assert existing["CompanyID"] == "b1"
    assert claims_of(query["token"])["usr"] == f"{sub}@corp.example"


async def test_form_post_callback(sso: Sso) -> None:
    sent = await sso.start(customParams="response_mode=form_post")
    assert sent["response_mode"] == "form_post"
    code = sso.idp.issue_code(
        sub=random_sub(),
        nonce=sent["nonce"],
        challenge=sent["code_challenge"],
        email="fp@corp.example",
        email_verified=True,
    )
    response = await sso.http.post("/ocrpcode", data={"code": code, "state": sent["state"]})
    assert claims_of(redirect_query(response)["token"])["usr"] == "fp@corp.example"


async def test_the_idp_metadata_is_cached_until_the_config_changes(sso: Sso) -> None:
    for _ in range(2):
        redirect_query(await sso.callback(await sso.start(), sub=random_sub()))
    assert sso.idp.discovery_hits == 1
    await sso.patch_config(AdditionalIdpScopes=["offline_access"])
    sent = await sso.start()
    assert sent["scope"] == "openid profile email offline_access"
    redirect_query(await sso.callback(sent, sub=random_sub()))
    # the scopes are not part of the cache key, so the cache stays; a new client ID is.
    assert sso.idp.discovery_hits == 1
    await sso.patch_config(AuthorizationEndpoint=f"{sso.idp.issuer}/authorize?x=1")
    redirect_query(await sso.callback(await sso.start(), sub=random_sub()))
    assert sso.idp.discovery_hits == 2


async def test_audit_and_metrics_record_sso_logins(sso: Sso, runtime: Runtime) -> None:
    redirect_query(await sso.callback(await sso.start(), sub=random_sub()))
    failed = await sso.callback(await sso.start(), sub=random_sub(), nonce="forged")
    assert failed.status_code == 400
    await runtime.audit.flush()
    events = await ok(await sso.http.get("/gatehouse/audit", headers=sso.mp.auth))
    sso_events = [e for e in events["Items"] if e.get("Details", {}).get("GrantType") == "sso"]
    kinds = sorted(e["EventType"] for e in sso_events)
    assert kinds == ["token.issued", "token.refused"]
    refused = next(e for e in sso_events if e["EventType"] == "token.refused")
    assert refused["Details"]["Reason"] == "nonce mismatch"
    assert refused["Details"]["OpenIdConnectID"] == "google"
    assert "eyJ" not in json.dumps(sso_events)  # never a token
    metrics = (await sso.http.get("/metrics")).text
    line = f'gatehouse_token_requests_total{{client_id="{sso.client_id}",grant_type="sso",outcome="issued"}} 1.0'
    assert line in metrics


def test_x_oc_hash_matches_catalyst() -> None:
    body = b'{"a":1}'
    import hashlib
    import hmac

    expected = base64.b64encode(hmac.new(HASH_KEY.encode(), body, hashlib.sha256).digest())
    assert oc_hash(body, HASH_KEY) == expected.decode()
