"""``/gatehouse/explain`` with ``GrantType`` ``sso``: the same rules as the SSO token issuance
(no password, no client secret, an OpenIdConnect config, lockout, access rule, roles)."""

from __future__ import annotations

from tests.factories.explain import check, decisive, explain
from tests.factories.sso import Sso, ok, random_sub, redirect_query


async def test_explain_sso(sso: Sso) -> None:
    sub = random_sub()
    query = redirect_query(await sso.callback(await sso.start(roles="Shopper"), sub=sub))
    assert query["token"]
    username = f"{sub}@corp.example"
    result = await explain(
        sso.http,
        sso.mp.auth,
        ClientID=sso.client_id,
        Username=username,
        Scope="Shopper",
        GrantType="sso",
    )
    assert result["WouldIssue"] is True
    assert result["GrantType"] == "sso"
    assert check(result, "OpenIdConnect")["Passed"] is True
    assert check(result, "ClientSecret")["Passed"] is None
    assert check(result, "PasswordPolicy")["Passed"] is None
    assert result["Roles"]["Granted"] == ["Shopper"]

    elsewhere = await explain(
        sso.http, sso.mp.auth, ClientID=sso.mp.client_id, Username=username, GrantType="sso"
    )
    found = decisive(elsewhere)
    assert found is not None
    assert (found["Rule"], found["ErrorCode"]) == ("OpenIdConnect", "NotFound")

    users = await ok(await sso.http.get("/v1/buyers/b1/users", headers=sso.mp.auth))
    [user] = [u for u in users["Items"] if u["Username"] == username]
    patch = {"Active": False}
    await ok(
        await sso.http.patch(f"/v1/buyers/b1/users/{user['ID']}", headers=sso.mp.auth, json=patch)
    )
    inactive = await explain(
        sso.http, sso.mp.auth, ClientID=sso.client_id, Username=username, GrantType="sso"
    )
    assert (decisive(inactive) or {}).get("ErrorCode") == "Auth.UserNotActive"
