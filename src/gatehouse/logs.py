"""Process-wide logging: ``GATEHOUSE_LOG_FORMAT=json`` (one JSON object a line) or ``text``,
for Gatehouse's loggers and uvicorn's own alike.

Nothing secret reaches a log line: the access log (``http/access_log.py``) writes only the
request id, method, route *template*, status, duration, client ID, grant type and the client
address; no header, query string, body or token is ever logged."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

ACCESS_FIELDS = (
    "request_id",
    "method",
    "route",
    "status",
    "duration_ms",
    "client_id",
    "grant_type",
    "client_addr",
)
UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.asgi")
UVICORN_ACCESS = "uvicorn.access"
"""Silenced: Gatehouse writes its own access line (``http/access_log.py``); uvicorn's protocol
logs a second one per request whenever this logger has a handler to reach."""


class JsonFormatter(logging.Formatter):
    """``{"time", "level", "logger", "message", ...the access fields when present}``."""

    def format(self, record: logging.LogRecord) -> str:
        body: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in ACCESS_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                body[name] = value
        if record.exc_info:
            body["exception"] = self.formatException(record.exc_info)
        return json.dumps(body, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")


def formatter_for(log_format: str) -> logging.Formatter:
    return JsonFormatter() if log_format == "json" else TextFormatter()


def configure_logging(log_format: str, level: int = logging.INFO) -> None:
    """One stderr handler on the root logger; uvicorn's loggers use it too (their own
    handlers removed), so every line of a process has the chosen format."""
    # A log record per request is on the hot path: skip what no formatter here prints (the
    # caller's file and line, which walks the stack; thread and process names and ids).
    logging._srcfile = None  # documented switch: "set to None to avoid findCaller()"
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter_for(log_format))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in UVICORN_LOGGERS:
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    access = logging.getLogger(UVICORN_ACCESS)
    access.handlers.clear()
    access.propagate = False
