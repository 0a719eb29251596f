"""``gatehouse explain`` and ``gatehouse review``: why a token request would be refused, and
what in a marketplace's configuration deserves a second look (docs/operations.md)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from gatehouse.cli.common import (
    EXIT_FINDINGS,
    EXIT_OK,
    DatabaseOpt,
    JsonOpt,
    load_settings,
    run_services,
)
from gatehouse.domain.errors import NotFoundError
from gatehouse.domain.explain import Explanation
from gatehouse.settings import Settings

if TYPE_CHECKING:
    from gatehouse.services.registry import Services


err = Console(stderr=True)


def register(app: typer.Typer) -> None:
    app.command("explain")(explain_command)
    app.command("review")(review_command)


def explain_command(
    client_id: Annotated[str, typer.Option("--client-id", help="The API client's ID.")],
    username: Annotated[
        str | None, typer.Option("--username", help="Required for the password and sso grants.")
    ] = None,
    scope: Annotated[str | None, typer.Option("--scope", help="Space-separated roles.")] = None,
    grant_type: Annotated[
        str,
        typer.Option(
            "--grant-type",
            help="password, client_credentials (on an IsAnonBuyer client: the anonymous grant) "
            "or sso.",
        ),
    ] = "password",
    marketplace_id: Annotated[
        str | None, typer.Option("--marketplace-id", help="Only look in this marketplace.")
    ] = None,
    as_json: JsonOpt = False,
    database_url: DatabaseOpt = None,
) -> None:
    """Explain whether a token would be issued, and why, without issuing one.

    Exit status: 0 a token would be issued, 1 it would be refused, 2 bad input, 3 no
    database, 4 unknown client."""
    from gatehouse.http.schemas.operations import explanation_out

    explanation, name = run_services(
        load_settings(database_url=database_url),
        lambda services: _explain(services, client_id, username, scope, grant_type, marketplace_id),
    )
    body = explanation_out(explanation, client_id.strip().lower(), name)
    if as_json:
        typer.echo(json.dumps(body))
    else:
        _print_explanation(body)
    raise typer.Exit(EXIT_OK if explanation.would_issue else EXIT_FINDINGS)


async def _explain(
    services: Services,
    client_id: str,
    username: str | None,
    scope: str | None,
    grant_type: str,
    marketplace_id: str | None,
) -> tuple[Explanation, str | None]:
    return await services.explain.explain_access(
        marketplace_id=marketplace_id,
        client_id=client_id,
        username=username,
        scope=scope,
        grant_type=grant_type,
        caller_roles=None,  # an operator on the server sees every user
    )


def _print_explanation(body: dict[str, Any]) -> None:
    verdict = "WOULD ISSUE a token" if body["WouldIssue"] else "WOULD REFUSE"
    typer.echo(f"{body['GrantType']} grant, client {body['ClientID']}, user {body['Username']}:")
    typer.echo(f"  {verdict}")
    marks = {True: "pass", False: "FAIL", None: "----"}
    for check in body["Checks"]:
        code = f" [{check['ErrorCode']}]" if check["ErrorCode"] else ""
        decisive = "  <- decisive" if check["Decisive"] else ""
        mark = marks[check["Passed"]]
        typer.echo(f"  {mark}  {check['Rule']}: {check['Detail']}{code}{decisive}")
    roles = body["Roles"]
    typer.echo(f"  granted roles: {' '.join(roles['Granted']) or '(none)'}")
    for dropped in roles["Dropped"]:
        typer.echo(f"  dropped: {dropped['Role']} ({dropped['Reason']})")
    if roles["MissingMinimum"]:
        typer.echo(f"  missing minimum roles: {' '.join(roles['MissingMinimum'])}")


def review_command(
    marketplace_id: Annotated[
        str | None,
        typer.Option("--marketplace-id", help="Review one marketplace (default: every one)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array.")] = False,
    database_url: DatabaseOpt = None,
) -> None:
    """List risky API client configurations, each with its reason and fix.

    Exit status: 0 nothing found, 1 findings listed, 2 bad input, 3 no database, 4 unknown
    marketplace."""
    settings = load_settings(database_url=database_url)
    found = run_services(settings, lambda services: _review(services, settings, marketplace_id))
    if as_json:
        typer.echo(json.dumps(found))
    elif not found:
        typer.echo("no risky client configurations found")
    for item in [] if as_json else found:
        where = f"{item['ClientID']}, " if item.get("ClientID") else ""
        typer.echo(
            f"[{item['Severity']}] {item['Risk']}: {item['AppName']} ({where}"
            f"marketplace {item['MarketplaceID']})"
        )
        typer.echo(f"    why: {item['Reason']}")
        typer.echo(f"    fix: {item['Fix']}")
    raise typer.Exit(EXIT_FINDINGS if found else EXIT_OK)


async def _review(
    services: Services, settings: Settings, marketplace_id: str | None
) -> list[dict[str, Any]]:
    from gatehouse.http.schemas.operations import finding_out
    from gatehouse.services.review import thresholds_from

    known = await services.review.marketplace_ids()
    if marketplace_id is not None and marketplace_id not in known:
        raise NotFoundError("Marketplace", marketplace_id)
    found = []
    for mp in [marketplace_id] if marketplace_id is not None else known:
        findings = await services.review.review_marketplace(mp, thresholds_from(settings))
        found += [{"MarketplaceID": mp, **finding_out(f)} for f in findings]
    return found
