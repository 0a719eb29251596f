"""``/v1/openidconnects`` and ``/v1/integrationEvents`` over HTTP: fields as the JS SDK names
them, required fields, references, ``ConnectClientSecret`` returned but sealed at rest, the
IntegrationEvent rules, seller-only access, and deletes."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import select, update

from gatehouse.crypto_at_rest import EncryptionKeyError
from gatehouse.runtime import Runtime
from gatehouse.storage import sealing
from gatehouse.storage.models import OpenIdConnectRow, SsoIdentityLinkRow
from gatehouse.storage.sealing import connect_secret_purpose as secret_purpose
from tests.factories.marketplaces import Marketplace
from tests.factories.sso import Sso, ok, random_sub, redirect_query

OIDC = "/v1/openidconnects"
EVENTS = "/v1/integrationEvents"


def config_body(client_id: str, **fields: Any) -> dict[str, Any]:
    return {
        "ID": "okta",
        "OrderCloudApiClientID": client_id,
        "ConnectClientID": "cid-at-idp",
        "ConnectClientSecret": "very-secret-value",
        "AppStartUrl": "https://app.example?token={0}",
        "AuthorizationEndpoint": "https://idp.example/authorize",
        "TokenEndpoint": "https://idp.example/token",
        "OrdercloudApiClient": "ignored, as in the docs' example",
        **fields,
    }


def event_body(**fields: Any) -> dict[str, Any]:
    return {
        "ID": "ev",
        "Name": "Event",
        "EventType": "OpenIDConnect",
        "CustomImplementationUrl": "https://mw.example/ie",
        "HashKey": "k" * 20,
        **fields,
    }


async def test_create_get_list_and_the_wire_shape(
    client: httpx.AsyncClient, marketplace: Marketplace, runtime: Runtime
) -> None:
    auth = marketplace.auth
    await ok(await client.post(EVENTS, headers=auth, json=event_body()), 201)
    body = config_body(marketplace.client_id, IntegrationEventID="ev")
    created = await ok(await client.post(OIDC, headers=auth, json=body), 201)
    assert created == {
        "ID": "okta",
        "OrderCloudApiClientID": marketplace.client_id,
        "ConnectClientID": "cid-at-idp",
        "ConnectClientSecret": "very-secret-value",
        "AppStartUrl": "https://app.example?token={0}",
        "AuthorizationEndpoint": "https://idp.example/authorize",
        "TokenEndpoint": "https://idp.example/token",
        "UrlEncoded": False,
        "IntegrationEventID": "ev",
        "CallSyncUserIntegrationEvent": False,
        "IntegrationEventName": "Event",
        "AdditionalIdpScopes": [],
        "CustomErrorUrl": None,
    }
    assert await ok(await client.get(f"{OIDC}/okta", headers=auth)) == created
    listed = await ok(await client.get(OIDC, headers=auth, params={"search": "ok"}))
    assert listed["Meta"]["TotalCount"] == 1
    assert listed["Items"] == [created]
    async with runtime.db.read() as session:
        stored = await session.scalar(
            select(OpenIdConnectRow.connect_client_secret).where(
                OpenIdConnectRow.marketplace_id == marketplace.id
            )
        )
    assert stored is not None
    assert "very-secret-value" not in stored or not runtime.secret_box.enabled
    purpose = secret_purpose(marketplace.id, "okta")
    assert runtime.secret_box.decrypt(stored, purpose=purpose) == "very-secret-value"
    if runtime.secret_box.enabled:  # SQLite: the key file beside the database
        assert stored.startswith("enc:")
        with pytest.raises(EncryptionKeyError):
            runtime.secret_box.decrypt(stored, purpose=secret_purpose("other", "okta"))


async def test_put_patch_rename_and_delete(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    auth = marketplace.auth
    await ok(await client.post(OIDC, headers=auth, json=config_body(marketplace.client_id)), 201)
    patched = await ok(
        await client.patch(
            f"{OIDC}/okta", headers=auth, json={"UrlEncoded": True, "AdditionalIdpScopes": ["x"]}
        )
    )
    assert (patched["UrlEncoded"], patched["ConnectClientSecret"]) == (True, "very-secret-value")
    put = config_body(marketplace.client_id, ID="okta2", ConnectClientSecret="new-secret")
    replaced = await ok(await client.put(f"{OIDC}/okta", headers=auth, json=put))
    assert (replaced["ID"], replaced["UrlEncoded"]) == ("okta2", False)
    await ok(await client.get(f"{OIDC}/okta", headers=auth), 404)
    fetched = await ok(await client.get(f"{OIDC}/okta2", headers=auth))
    assert fetched["ConnectClientSecret"] == "new-secret"
    created_by_put = config_body(marketplace.client_id, ID=None)
    await ok(await client.put(f"{OIDC}/fresh", headers=auth, json=created_by_put))
    assert (await client.delete(f"{OIDC}/okta2", headers=auth)).status_code == 204
    await ok(await client.delete(f"{OIDC}/okta2", headers=auth), 404)
    await ok(await client.patch(f"{OIDC}/missing", headers=auth, json={}), 404)


async def test_validation_and_references(
    client: httpx.AsyncClient, marketplace: Marketplace
) -> None:
    auth = marketplace.auth
    missing = config_body(marketplace.client_id)
    del missing["TokenEndpoint"]
    error = await ok(await client.post(OIDC, headers=auth, json=missing), 400)
    assert error["Errors"][0]["ErrorCode"] == "RequiredField"
    assert error["Errors"][0]["Data"] == {"Field": "TokenEndpoint"}
    unknown = config_body("00000000-0000-0000-0000-000000000000")
    error = await ok(await client.post(OIDC, headers=auth, json=unknown), 404)
    assert error["Errors"][0]["Data"]["ObjectType"] == "ApiClient"
    no_event = config_body(marketplace.client_id, IntegrationEventID="nope")
    error = await ok(await client.post(OIDC, headers=auth, json=no_event), 404)
    assert error["Errors"][0]["Data"]["ObjectType"] == "IntegrationEvent"
    await ok(
        await client.post(
            EVENTS, headers=auth, json=event_body(ID="chk", EventType="OrderCheckout")
        ),
        201,
    )
    wrong = config_body(marketplace.client_id, IntegrationEventID="chk")
    error = await ok(await client.post(OIDC, headers=auth, json=wrong), 400)
    assert error["Errors"][0]["ErrorCode"] == "IntegrationEvent.IncompatibleEventType"
    await ok(await client.post(OIDC, headers=auth, json=config_body(marketplace.client_id)), 201)
    error = await ok(
        await client.post(OIDC, headers=auth, json=config_body(marketplace.client_id)), 409
    )
    assert error["Errors"][0]["ErrorCode"] == "IdExists"
    bad_id = config_body(marketplace.client_id, ID="no spaces")
    await ok(await client.post(OIDC, headers=auth, json=bad_id), 400)


async def test_integration_event_rules(client: httpx.AsyncClient, marketplace: Marketplace) -> None:
    auth = marketplace.auth
    body = event_body(
        ElevatedRoles=["BuyerUserAdmin"],
        ConfigData={"a": [1, 2]},
        CustomAuthHeaderName="X-Key",
        CustomAuthHeaderValue="write-only-value",
    )
    created = await ok(await client.post(EVENTS, headers=auth, json=body), 201)
    assert created["CustomAuthHeaderValue"] is None
    assert (created["HashKey"], created["ConfigData"]) == ("k" * 20, {"a": [1, 2]})
    error = await ok(
        await client.patch(f"{EVENTS}/ev", headers=auth, json={"EventType": "AddToCart"}), 409
    )
    assert error["Errors"][0]["ErrorCode"] == "IntegrationEvent.CannotEditType"
    long_key = event_body(ID="long", HashKey="x" * 51)
    await ok(await client.post(EVENTS, headers=auth, json=long_key), 400)
    half = event_body(ID="half", CustomAuthHeaderName="X-Key")
    error = await ok(await client.post(EVENTS, headers=auth, json=half), 400)
    assert error["Errors"][0]["ErrorCode"] == "Integration.CustomAuthHeaderValueRequired"
    config = config_body(marketplace.client_id, IntegrationEventID="ev")
    await ok(await client.post(OIDC, headers=auth, json=config), 201)
    error = await ok(await client.delete(f"{EVENTS}/ev", headers=auth), 409)
    assert error["Errors"][0]["ErrorCode"] == "IntegrationEvent.CannotDeleteInUse"
    renamed = await ok(await client.patch(f"{EVENTS}/ev", headers=auth, json={"ID": "ev2"}))
    assert renamed["ID"] == "ev2"
    assert (await ok(await client.get(f"{OIDC}/okta", headers=auth)))["IntegrationEventID"] == "ev2"
    await ok(await client.delete(f"{OIDC}/okta", headers=auth), 204)
    assert (await client.delete(f"{EVENTS}/ev2", headers=auth)).status_code == 204


async def test_roles_and_seller_only(sso: Sso) -> None:
    sso_response = await sso.callback(await sso.start(), sub=random_sub())
    buyer_token = redirect_query(sso_response)["token"]
    buyer = {"Authorization": f"Bearer {buyer_token}"}
    for url in (OIDC, EVENTS):
        error = await ok(await sso.http.get(url, headers=buyer), 403)
        assert error["Errors"][0]["ErrorCode"] == "Auth.UserNotAuthorizedToAdmin"


async def test_deleting_the_client_deletes_its_configs_and_users_take_their_links(
    sso: Sso, runtime: Runtime
) -> None:
    sub = random_sub()
    redirect_query(await sso.callback(await sso.start(), sub=sub))
    users = await ok(await sso.http.get("/v1/buyers/b1/users", headers=sso.mp.auth))
    [user] = [u for u in users["Items"] if u["Username"] == f"{sub}@corp.example"]
    await ok(await sso.http.delete(f"/v1/buyers/b1/users/{user['ID']}", headers=sso.mp.auth), 204)
    async with runtime.db.read() as session:
        links = await session.scalars(
            select(SsoIdentityLinkRow).where(SsoIdentityLinkRow.marketplace_id == sso.mp.id)
        )
        assert list(links) == []
    await ok(await sso.http.delete(f"/v1/apiclients/{sso.client_id}", headers=sso.mp.auth), 204)
    await ok(await sso.http.get(f"{OIDC}/google", headers=sso.mp.auth), 404)


async def test_startup_sealing_covers_connect_client_secret(
    client: httpx.AsyncClient, marketplace: Marketplace, runtime: Runtime
) -> None:
    """A ``plain:`` value (a deployment that ran without a key) is encrypted by
    ``storage.sealing.seal`` like the other secrets, and still reads back."""
    if not runtime.secret_box.enabled:
        pytest.skip("no encryption key on this backend's test server (plaintext mode)")
    body = config_body(marketplace.client_id)
    await ok(await client.post(OIDC, headers=marketplace.auth, json=body), 201)
    mine = (OpenIdConnectRow.marketplace_id == marketplace.id) & (OpenIdConnectRow.id == "okta")
    async with runtime.db.write() as session:
        await session.execute(
            update(OpenIdConnectRow).where(mine).values(connect_client_secret="plain:was-plain")
        )
    assert await sealing.seal(runtime.db) >= 1
    async with runtime.db.read() as session:
        stored = await session.scalar(select(OpenIdConnectRow.connect_client_secret).where(mine))
    assert stored is not None and stored.startswith("enc:")
    fetched = await ok(await client.get(f"{OIDC}/okta", headers=marketplace.auth))
    assert fetched["ConnectClientSecret"] == "was-plain"
