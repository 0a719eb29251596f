"""The ASGI factory uvicorn's worker processes call: settings come from the environment."""

from __future__ import annotations

from fastapi import FastAPI

from gatehouse.app import create_app
from gatehouse.settings import Settings


def create_app_from_env() -> FastAPI:
    return create_app(Settings())
