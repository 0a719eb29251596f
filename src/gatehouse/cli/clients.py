"""``gatehouse clients list|show|create``, ``gatehouse marketplace list`` and
``gatehouse users reset-password``: what an operator on the server machine needs without a
token (issue 13). Each goes through the services, like the HTTP API."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from gatehouse.cli.common import (
    EXIT_USAGE,
    ClientArg,
    DatabaseOpt,
    JsonOpt,
    MarketplaceOpt,
    emit,
    fail,
    load_settings,
    run_services,
)
from gatehouse.domain import audit
from gatehouse.domain.api_clients import ApiClient
from gatehouse.http.schemas.api_clients import api_client_out
from gatehouse.http.schemas.common import iso


def client_out(marketplace_id: str, client: ApiClient) -> dict[str, Any]:
    """The API's ApiClient shape plus its marketplace; the legacy secret's value is never
    printed, only whether one is set."""
    body = api_client_out(client)
    body.pop("ClientSecret", None)
    return {"MarketplaceID": marketplace_id, **body, "HasLegacySecret": client.has_legacy_secret}


def _line(marketplace_id: str, client: ApiClient) -> str:
    flags = [
        name
        for name, on in (
            ("active" if client.active else "INACTIVE", True),
            ("seller", client.allow_seller),
            ("any-buyer", client.allow_any_buyer),
            ("any-supplier", client.allow_any_supplier),
            ("anonymous", client.is_anon_buyer),
        )
        if on
    ]
    return f"{client.id}  {marketplace_id}  {client.app_name!r}  {' '.join(flags)}"


def clients_list(
    marketplace_id: MarketplaceOpt = None,
    as_json: JsonOpt = False,
    database_url: DatabaseOpt = None,
) -> None:
    """Every API client (of one marketplace, or of all): ID, marketplace, name, flags."""
    found = run_services(
        load_settings(database_url=database_url),
        lambda services: services.inventory.clients(marketplace_id),
    )
    if as_json:
        emit([client_out(m, c) for m, c in found], True)
    else:
        emit([_line(m, c) for m, c in found], False)


def clients_show(
    client_id: ClientArg, as_json: JsonOpt = False, database_url: DatabaseOpt = None
) -> None:
    """One client's settings and its named secrets (names and expiries, never values)."""
    view = run_services(
        load_settings(database_url=database_url),
        lambda services: services.inventory.client(client_id),
    )
    body = client_out(view.marketplace_id, view.client)
    body["Secrets"] = [
        {"ID": s.id, "Name": s.name, "Expiration": iso(s.expiration)} for s in view.secrets
    ]
    emit(body, as_json)


def clients_create(
    marketplace_id: Annotated[str, typer.Option("--marketplace-id", help="The marketplace.")],
    app_name: Annotated[str, typer.Option("--app-name", help="The client's name.")],
    access_token_duration: Annotated[
        int, typer.Option("--access-token-duration", help="Minutes (10-600).")
    ] = 60,
    refresh_token_duration: Annotated[
        int, typer.Option("--refresh-token-duration", help="Minutes; 0: no refresh tokens.")
    ] = 0,
    allow_seller: Annotated[bool, typer.Option("--allow-seller")] = False,
    allow_any_buyer: Annotated[bool, typer.Option("--allow-any-buyer")] = False,
    allow_any_supplier: Annotated[bool, typer.Option("--allow-any-supplier")] = False,
    default_context_username: Annotated[
        str | None, typer.Option("--default-context-username")
    ] = None,
    anon_buyer: Annotated[
        bool, typer.Option("--anon-buyer", help="IsAnonBuyer: the anonymous shopping grant.")
    ] = False,
    as_json: JsonOpt = False,
    database_url: DatabaseOpt = None,
) -> None:
    """Create an API client (without a secret: add one with `POST /v1/apiclients/{id}/secrets`
    or `gatehouse clients rotate-secret --add-secret`)."""
    fields: dict[str, Any] = {
        "app_name": app_name,
        "access_token_duration": access_token_duration,
        "refresh_token_duration": refresh_token_duration,
        "allow_seller": allow_seller,
        "allow_any_buyer": allow_any_buyer,
        "allow_any_supplier": allow_any_supplier,
        "default_context_username": default_context_username,
        "is_anon_buyer": anon_buyer,
    }
    created = run_services(
        load_settings(database_url=database_url),
        lambda services: services.api_clients.create(marketplace_id, fields, audit.CLI),
    )
    emit(client_out(marketplace_id, created), as_json)


def marketplace_list(as_json: JsonOpt = False, database_url: DatabaseOpt = None) -> None:
    """Every marketplace: ID, name, state, how many clients and users."""
    found = run_services(
        load_settings(database_url=database_url),
        lambda services: services.inventory.marketplaces(),
    )
    rows = [
        {
            "MarketplaceID": m.id,
            "Name": m.name,
            "Active": m.active,
            "DateCreated": iso(m.created),
            "ApiClients": m.clients,
            "Users": m.users,
        }
        for m in found
    ]
    if as_json:
        emit(rows, True)
        return
    for row in rows:
        state = "active" if row["Active"] else "INACTIVE"
        typer.echo(
            f"{row['MarketplaceID']}  {row['Name']!r}  {state}  "
            f"clients={row['ApiClients']} users={row['Users']}"
        )


def users_reset_password(
    marketplace_id: Annotated[str, typer.Option("--marketplace-id", help="The marketplace.")],
    username: Annotated[str, typer.Option("--username", help="The user's username.")],
    password_stdin: Annotated[
        bool,
        typer.Option("--password-stdin", help="Read the new password from stdin (first line)."),
    ] = False,
    as_json: JsonOpt = False,
    database_url: DatabaseOpt = None,
) -> None:
    """Set a user's password and clear their lockout. Without --password-stdin a password is
    generated and printed once. The user's password policy applies; tokens are kept (revoke
    them with `gatehouse users revoke-tokens`)."""
    given = None
    if password_stdin:
        given = sys.stdin.readline().rstrip("\r\n")
        if not given:
            fail("--password-stdin: no password on stdin", EXIT_USAGE)
    chosen = run_services(
        load_settings(database_url=database_url),
        lambda services: services.password_reset.reset_password(marketplace_id, username, given),
    )
    body: dict[str, Any] = {"MarketplaceID": marketplace_id, "Username": username, "Unlocked": True}
    if given is None:
        body["Password"] = chosen  # generated: shown this once
    emit(body, as_json)


def register(
    clients_app: typer.Typer, users_app: typer.Typer, marketplace_app: typer.Typer
) -> None:
    clients_app.command("list")(clients_list)
    clients_app.command("show")(clients_show)
    clients_app.command("create")(clients_create)
    users_app.command("reset-password")(users_reset_password)
    marketplace_app.command("list")(marketplace_list)
