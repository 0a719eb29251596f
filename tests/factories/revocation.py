"""Telling a token's standing from ``GET /v1/me``: valid, revoked or invalid."""

from __future__ import annotations

import httpx


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def me_status(http: httpx.AsyncClient, token: str) -> tuple[int, str | None]:
    response = await http.get("/v1/me", headers=bearer(token))
    code = None if response.status_code == 200 else response.json()["Errors"][0]["ErrorCode"]
    return response.status_code, code


REVOKED = (401, "Auth.TokenRevoked")


INVALID = (401, "InvalidToken")


OK = (200, None)
