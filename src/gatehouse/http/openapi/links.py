"""OpenAPI links from each create to what it created, so a stateful fuzzer (or a reader)
can chain create → get → update → delete and reach the nested resources.

They follow from the paths alone: a ``POST P`` answering 201 with an ``ID`` creates the
object that ``P/{x}`` names, so every operation under ``P/{x}`` is linked, with ``x`` from the
response's ``ID`` and the parent parameters from the create request's own path. A new router
laid out the same way gets its links without declaring any.
"""

from __future__ import annotations

import re
from typing import Any

_PARAM = re.compile(r"\{([^}]+)\}")
METHODS = ("get", "put", "patch", "delete", "post")


def add_links(doc: dict[str, Any]) -> None:
    paths: dict[str, dict[str, Any]] = doc["paths"]
    for path, item in paths.items():
        create = item.get("post")
        if create is None or "201" not in create.get("responses", {}):
            continue
        links = {
            name: link
            for target, target_item in paths.items()
            for name, link in _links_to(path, target, target_item)
        }
        if links:
            create["responses"]["201"]["links"] = links


def _links_to(parent: str, target: str, item: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Links from a create at ``parent`` to each operation of ``target``, when ``target`` is
    ``parent/{x}`` or lies under it and needs no parameter the create does not give."""
    match = re.fullmatch(re.escape(parent) + r"/\{([^}/]+)\}(/.*)?", target)
    if match is None:
        return []
    created = match.group(1)
    known = set(_PARAM.findall(parent))
    needed = _PARAM.findall(target)
    if not set(needed) <= known | {created}:
        return []
    parameters = {
        name: "$response.body#/ID" if name == created else f"$request.path.{name}"
        for name in needed
    }
    return [
        (
            str(operation["operationId"]),
            {"operationId": operation["operationId"], "parameters": parameters},
        )
        for method in METHODS
        if (operation := item.get(method)) is not None
    ]
