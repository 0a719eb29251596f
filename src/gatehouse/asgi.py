"""The ASGI factory uvicorn's worker processes call: settings come from the environment.

Outside ``gatehouse.cli`` on purpose: importing any module of that package runs its
``__init__``, which loads every command and Alembic, 20-odd MB a worker never uses (issue 12).
"""

from __future__ import annotations

import gc

from fastapi import FastAPI

from gatehouse.app import create_app
from gatehouse.logs import configure_logging
from gatehouse.settings import Settings


def create_app_from_env() -> FastAPI:
    settings = Settings()
    configure_logging(settings.log_format)
    app = create_app(settings)
    # Everything built so far (FastAPI's routes, SQLAlchemy's mappers, pydantic's models: a
    # few hundred thousand objects) lives as long as the worker. Frozen, it is left out of
    # every garbage collection, so the full collections a request rate triggers stay short
    # instead of pausing the worker for tens of milliseconds (issue 12: p99 latency).
    gc.collect()
    gc.freeze()
    return app
