"""Calling ``/gatehouse/explain`` and reading its checks."""

from __future__ import annotations

from typing import Any

import httpx

URL = "/gatehouse/explain"


async def explain(http: httpx.AsyncClient, auth: dict[str, str], **body: Any) -> dict[str, Any]:
    response = await http.post(URL, headers=auth, json=body)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def check(result: dict[str, Any], rule: str) -> dict[str, Any]:
    found: dict[str, Any] = next(c for c in result["Checks"] if c["Rule"] == rule)
    return found


def decisive(result: dict[str, Any]) -> dict[str, Any] | None:
    return next((c for c in result["Checks"] if c["Decisive"]), None)
