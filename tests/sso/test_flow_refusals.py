"""Every way the SSO flow must refuse (issue 14 point 5's negative cases and more), each shown
through HTTP with the real threaded IdP and receiver."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from gatehouse.domain.sso import TOKEN_VALIDATION_FAILED
from gatehouse.runtime import Runtime
from tests.factories.clock import AdjustableClock
from tests.factories.sso import ERROR_URL, Sso, ok, random_sub, redirect_query


def error_message(response: httpx.Response) -> str:
    """The ``{0}`` of ``CustomErrorUrl``."""
    assert response.status_code == 302, response.text
    location = urlsplit(response.headers["location"])
    assert (location.netloc, location.path) == ("shop.example", "/error")
    return parse_qs(location.query)["msg"][0]


def refused_page(response: httpx.Response, code: str) -> None:
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert code in response.text
    assert "location" not in response.headers


@pytest.fixture
async def erroring(sso: Sso) -> Sso:
    await sso.patch_config(CustomErrorUrl=ERROR_URL)
    return sso


async def test_wrong_state(sso: Sso) -> None:
    sent = await sso.start()
    refused_page(await sso.callback({**sent, "state": sent["state"] + "x"}), "InvalidState")


async def test_replayed_state(sso: Sso) -> None:
    sent = await sso.start()
    redirect_query(await sso.callback(sent, sub=random_sub()))
    refused_page(await sso.callback(sent, sub=random_sub()), "InvalidState")


async def test_expired_state(sso: Sso, clock: AdjustableClock) -> None:
    sent = await sso.start()
    clock.advance(timedelta(minutes=11))
    refused_page(await sso.callback(sent), "InvalidState")


async def test_state_from_another_browser(sso: Sso) -> None:
    sent = await sso.start()
    sso.http.cookies.clear()
    refused_page(await sso.callback(sent), "InvalidState")


async def test_nonce_mismatch(erroring: Sso) -> None:
    sent = await erroring.start()
    response = await erroring.callback(sent, nonce="another-nonce-of-an-old-login")
    assert error_message(response) == TOKEN_VALIDATION_FAILED


async def test_id_token_signed_by_another_key(erroring: Sso) -> None:
    erroring.idp.sign_with_other_key = True
    response = await erroring.callback(await erroring.start())
    assert error_message(response) == TOKEN_VALIDATION_FAILED
    assert erroring.receiver.calls == []


async def test_wrong_audience(erroring: Sso) -> None:
    response = await erroring.callback(await erroring.start(), aud="some-other-client")
    assert error_message(response) == TOKEN_VALIDATION_FAILED


async def test_expired_id_token_and_wrong_issuer(erroring: Sso) -> None:
    expired = await erroring.callback(await erroring.start(), exp=1_000_000, iat=999_000)
    assert error_message(expired) == TOKEN_VALIDATION_FAILED
    forged = await erroring.callback(await erroring.start(), iss="http://127.0.0.1:1/evil")
    assert error_message(forged) == TOKEN_VALIDATION_FAILED


async def test_idp_error_answer(erroring: Sso) -> None:
    sent = await erroring.start()
    response = await erroring.http.get(
        "/ocrpcode",
        params={"state": sent["state"], "error": "access_denied", "error_description": "nope"},
    )
    assert "access_denied" in error_message(response)
    # the state is spent even though the sign-in failed
    refused_page(await erroring.callback(sent), "InvalidState")


async def test_token_endpoint_failure(erroring: Sso) -> None:
    erroring.idp.token_status = 500
    response = await erroring.callback(await erroring.start())
    assert error_message(response) == TOKEN_VALIDATION_FAILED


async def test_wrong_client_secret(erroring: Sso) -> None:
    await erroring.patch_config(ConnectClientSecret="not-the-secret")
    response = await erroring.callback(await erroring.start())
    assert error_message(response) == TOKEN_VALIDATION_FAILED


async def test_pkce_verifier_is_checked_by_the_idp(erroring: Sso) -> None:
    sent = await erroring.start()
    response = await erroring.callback({**sent, "code_challenge": "A" * 43})
    assert error_message(response) == TOKEN_VALIDATION_FAILED


async def test_integration_event_error_message(erroring: Sso) -> None:
    erroring.receiver.mode = "error"
    response = await erroring.callback(await erroring.start())
    assert error_message(response) == "Your account is not enabled yet."


async def test_integration_event_non_2xx(erroring: Sso) -> None:
    erroring.receiver.mode = "status500"
    response = await erroring.callback(await erroring.start())
    assert error_message(response) == '"boom"'


async def test_integration_event_timeout_is_not_retried(
    erroring: Sso, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runtime.settings, "sso_integration_timeout_seconds", 0.5)
    erroring.receiver.mode, erroring.receiver.delay = "slow", 1.5
    response = await erroring.callback(await erroring.start())
    assert error_message(response) == "The integration event did not answer in time."
    assert [c["path"] for c in erroring.receiver.calls] == ["/hooks/createuser"]


async def test_bad_hash_is_refused_by_the_receiver(erroring: Sso) -> None:
    patch = {"HashKey": "a-different-hash-key"}
    await ok(
        await erroring.http.patch(
            "/v1/integrationEvents/oidc-event", headers=erroring.mp.auth, json=patch
        )
    )
    response = await erroring.callback(await erroring.start())
    assert error_message(response) == '{"ErrorMessage": "X-oc-hash does not match"}'
    assert erroring.receiver.bad_hashes == 1


async def test_inactive_user(erroring: Sso) -> None:
    sub = random_sub()
    redirect_query(await erroring.callback(await erroring.start(), sub=sub))
    users = await ok(await erroring.http.get("/v1/buyers/b1/users", headers=erroring.mp.auth))
    [user] = [u for u in users["Items"] if u["Username"] == f"{sub}@corp.example"]
    await ok(
        await erroring.http.patch(
            f"/v1/buyers/b1/users/{user['ID']}", headers=erroring.mp.auth, json={"Active": False}
        )
    )
    response = await erroring.callback(await erroring.start(), sub=sub)
    assert error_message(response) == "User is not active."


async def test_client_not_assigned_to_the_users_buyer(erroring: Sso) -> None:
    await ok(
        await erroring.http.patch(
            "/v1/integrationEvents/oidc-event",
            headers=erroring.mp.auth,
            json={"ConfigData": {"BuyerID": "b2"}},
        )
    )
    response = await erroring.callback(await erroring.start())
    assert error_message(response) == (
        "The requested API client is not available for the user provided."
    )
    assert erroring.receiver.calls[0]["path"] == "/hooks/createuser"


@pytest.mark.parametrize(
    "path",
    [
        "@evil.example",
        "//evil.example/x",
        "/\\evil.example",
        "https://evil.example/",
        "evil.example",
        "/ok\r\nSet-Cookie: x=1",
        "/%0d%0a",
    ],
)
async def test_appstartpath_open_redirects_are_refused(sso: Sso, path: str) -> None:
    response = await sso.login(appstartpath=path)
    if path == "/%0d%0a":  # percent signs stay literal: a harmless same-site path
        assert response.status_code == 302
        return
    refused_page(response, "OpenIdConnect.InvalidAppStartPath")


@pytest.mark.parametrize(
    "pair",
    ["client_id=evil", "CLIENT_ID=evil", "redirect_uri=https://evil.example", "state=x", "nonce=y"],
)
async def test_custom_params_cannot_override_protocol_parameters(sso: Sso, pair: str) -> None:
    refused_page(await sso.login(customParams=pair), "OpenIdConnect.ProtectedParameter")


async def test_custom_params_are_added(sso: Sso) -> None:
    sent = await sso.start(customParams=["prompt=login", "login_hint=a@b.c"])
    assert (sent["prompt"], sent["login_hint"], sent["client_id"]) == (
        "login",
        "a@b.c",
        sso.idp.client_id,
    )


async def test_login_errors_before_the_config_is_known(sso: Sso) -> None:
    refused_page(await sso.http.get("/ocrplogin", params={"id": "google"}), "InvalidLogin")
    refused_page(await sso.login(id="unknown"), "NotFound")
    refused_page(await sso.login(cid="00000000-0000-0000-0000-000000000000"), "NotFound")
    refused_page(await sso.login(cid=sso.mp.client_id), "OpenIdConnect.ClientMismatch")


async def test_inactive_client_goes_to_the_error_url(erroring: Sso) -> None:
    await ok(
        await erroring.http.patch(
            f"/v1/apiclients/{erroring.client_id}", headers=erroring.mp.auth, json={"Active": False}
        )
    )
    response = await erroring.login()
    assert error_message(response) == "Client ID is not active."


async def test_pkce_switch(sso: Sso, runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runtime.settings, "sso_pkce", False)
    sent = await sso.start()
    assert "code_challenge" not in sent
    redirect_query(await sso.callback(sent, sub=random_sub()))
    assert "code_verifier" not in sso.idp.token_requests[-1]["params"]


async def test_legacy_config_is_refused_by_default(erroring: Sso) -> None:
    await erroring.patch_config(IntegrationEventID=None)
    response = await erroring.callback(await erroring.start())
    assert "IntegrationEventID" in error_message(response)


async def test_legacy_email_match_only_for_verified_emails(
    erroring: Sso, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runtime.settings, "sso_legacy_email_match", True)
    user = {
        "ID": "carol",
        "Username": "carol@corp.example",
        "FirstName": "Carol",
        "LastName": "Legacy",
        "Email": "x@y.z",
        "Active": True,
    }
    await ok(
        await erroring.http.post("/v1/buyers/b1/users", headers=erroring.mp.auth, json=user), 201
    )
    await erroring.patch_config(IntegrationEventID=None)
    unverified = await erroring.callback(
        await erroring.start(), email="carol@corp.example", email_verified=False
    )
    assert "verified email" in error_message(unverified)
    verified = await erroring.callback(await erroring.start(), email="carol@corp.example")
    assert redirect_query(verified)["token"]
    assert erroring.receiver.calls == []


async def test_no_custom_error_url_gives_a_page_not_a_redirect(sso: Sso) -> None:
    sso.receiver.mode = "error"
    refused_page(await sso.callback(await sso.start()), "OpenIdConnect.IntegrationEventError")


async def test_logins_count_against_the_clients_token_bucket(sso: Sso) -> None:
    limits = {"TokenRequestsPerMinute": 1, "TokenBurst": 1}
    url = f"/gatehouse/apiclients/{sso.client_id}/ratelimits"
    await ok(await sso.http.put(url, headers=sso.mp.auth, json=limits))
    assert (await sso.login()).status_code == 302
    refused = await sso.login()
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) >= 1


async def test_one_state_two_concurrent_callbacks(sso: Sso) -> None:
    sent = await sso.start()
    first, second = await asyncio.gather(
        sso.callback(sent, sub=random_sub()), sso.callback(sent, sub=random_sub())
    )
    assert sorted([first.status_code, second.status_code]) == [302, 400]
