"""The ASGI factory uvicorn's worker processes call: settings come from the environment."""

from __future__ import annotations

from fastapi import FastAPI

from gatehouse.app import create_app
from gatehouse.logs import configure_logging
from gatehouse.settings import Settings


def create_app_from_env() -> FastAPI:
    settings = Settings()
    configure_logging(settings.log_format)
    return create_app(settings)
