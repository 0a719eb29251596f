"""A small real integration-event receiver (ordercloud-sso.md §4), in a thread: it checks
``X-oc-hash`` over the raw body as OrderCloud's catalyst does, and its ``/createuser`` creates
a buyer user through the Gatehouse API with the elevated ``OrderCloudAccessToken`` it was
sent. ``mode`` switches it to the failure cases."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

CreateUser = Callable[[str, str, dict[str, Any]], int]
"""(elevated token, buyer ID, user body) → HTTP status of ``POST /v1/buyers/{id}/users``."""


@dataclass
class Receiver:
    hash_key: str
    create_user: CreateUser
    mode: str = "ok"
    """``ok``, ``error`` (ErrorMessage), ``slow`` (answers after ``delay``), ``status500``."""
    delay: float = 3.0
    calls: list[dict[str, Any]] = field(default_factory=list)
    bad_hashes: int = 0
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/hooks"

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_GET(self) -> None:
                """The AppStartUrl of the browser test: any page under ``/app``."""
                data = b"<!doctype html><title>app</title><p>signed in</p>"
                self.send_response(200 if self.path.startswith("/app") else 404)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, body = receiver.handle(self.path, dict(self.headers), raw)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def hash_ok(self, headers: dict[str, str], raw: bytes) -> bool:
        sent = next((v for k, v in headers.items() if k.lower() == "x-oc-hash"), "")
        mac = hmac.new(self.hash_key.encode(), raw, hashlib.sha256).digest()
        return hmac.compare_digest(sent.encode(), base64.b64encode(mac))

    def handle(self, path: str, headers: dict[str, str], raw: bytes) -> tuple[int, Any]:
        payload = json.loads(raw)
        self.calls.append({"path": path, "payload": payload, "headers": headers})
        if not self.hash_ok(headers, raw):
            self.bad_hashes += 1
            return 401, {"ErrorMessage": "X-oc-hash does not match"}
        if self.mode == "error":
            return 200, {"Username": None, "ErrorMessage": "Your account is not enabled yet."}
        if self.mode == "slow":
            time.sleep(self.delay)
        if self.mode == "status500":
            return 500, "boom"
        if path.endswith("/syncuser"):
            return 200, {"ErrorMessage": ""}
        return self._create(payload)

    def _create(self, payload: dict[str, Any]) -> tuple[int, Any]:
        id_token = payload["TokenResponse"]["id_token"]
        claims = json.loads(_b64(id_token.split(".")[1]))
        username = claims["email"]
        user = {
            "ID": "sso-" + hashlib.sha256(claims["sub"].encode()).hexdigest()[:12],
            "Username": username,
            "FirstName": claims.get("given_name", "Sso"),
            "LastName": claims.get("family_name", "User"),
            "Email": username,
            "Active": True,
        }
        buyer = payload["ConfigData"]["BuyerID"]
        status = self.create_user(payload["OrderCloudAccessToken"], buyer, user)
        if status not in (200, 201):
            return 200, {"ErrorMessage": f"could not create the user ({status})"}
        return 200, {"Username": username, "ErrorMessage": None}


def _b64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
