"""Static files shipped inside the package: the console (``gatehouse/console/``) and Swagger
UI (the ``fastapi-offline`` package's copy of ``swagger-ui-dist``, plus our own page and
start-up script in ``gatehouse/swagger/``). Read once per process, served from memory."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable

MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}

# Nothing but this origin: no inline script or style, no other host, no framing, no plugins.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; manifest-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)


def secure_headers() -> dict[str, str]:
    return {
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "no-referrer",
    }


@dataclass(frozen=True, slots=True)
class Asset:
    body: bytes
    media_type: str
    etag: str


class AssetFolder:
    """The files of one folder (and its sub-folders) by relative path, loaded on first use.
    Only files with a known media type are served; anything else is 404."""

    def __init__(self, *roots: Traversable, only: frozenset[str] | None = None) -> None:
        self._roots = roots
        self._only = only
        self._assets: dict[str, Asset] | None = None

    def get(self, name: str) -> Asset | None:
        if self._assets is None:
            self._assets = {}
            for root in self._roots:
                self._assets.update(_collect(root, ""))
            if self._only is not None:
                self._assets = {k: v for k, v in self._assets.items() if k in self._only}
        return self._assets.get(name)

    def names(self) -> list[str]:
        self.get("")
        return sorted(self._assets or {})


def _collect(root: Traversable, prefix: str) -> dict[str, Asset]:
    found: dict[str, Asset] = {}
    for entry in root.iterdir():
        name = prefix + entry.name
        if entry.is_dir():
            found.update(_collect(entry, name + "/"))
            continue
        media_type = MEDIA_TYPES.get("." + entry.name.rsplit(".", 1)[-1])
        if media_type is None:
            continue
        body = entry.read_bytes()
        found[name] = Asset(body, media_type, '"' + hashlib.sha256(body).hexdigest()[:32] + '"')
    return found


def console_root() -> Traversable:
    return files("gatehouse") / "console"


def _swagger_root() -> Traversable:
    return files("fastapi_offline") / "static"


def _docs_root() -> Traversable:
    return files("gatehouse") / "swagger"


CONSOLE_ASSETS = AssetFolder(console_root())
DOCS_ASSETS = AssetFolder(
    _docs_root(),
    _swagger_root(),
    only=frozenset(
        {"index.html", "init.js", "swagger-ui-bundle.js", "swagger-ui.css", "favicon.png"}
    ),
)
