"""Bounds on request heads for ``gatehouse serve`` (issue 10, item 4).

httptools sets no limit of its own: it buffers a header of any size until the line ends, so a
16 MiB header used to be accepted and four parallel 64 MiB ones held the event loop for seconds
and grew the process to hundreds of MiB. ``LimitedHttpToolsProtocol`` is uvicorn's httptools
protocol (keep-alive, pipelining, graceful shutdown, several workers: all unchanged; each
response in one write: ``coalesced_writes``) with two limits, answered with ``431 Request
Header Fields Too Large`` and an OrderCloud error body before the connection is closed:

- ``GATEHOUSE_MAX_HEADER_BYTES`` (32 KiB): the request line and every header of one request
  together, counted exactly on the parsed head, and also on the raw bytes while the head is
  still incomplete, so a single endless header is refused after that many bytes instead of
  being buffered (at most one socket read more is held);
- ``GATEHOUSE_MAX_HEADER_COUNT`` (100): headers per request.
"""

from __future__ import annotations

import functools
import json

from gatehouse.http.coalesced_writes import CoalescingHttpToolsProtocol
from gatehouse.http.errors import error_body
from gatehouse.settings import Settings

_REASON = b"HTTP/1.1 431 Request Header Fields Too Large\r\n"


class HeadTooLargeError(Exception):
    """Raised from a parser callback to stop parsing; ``send_400_response`` sees the reason."""


@functools.cache
def limits() -> tuple[int, int]:
    """This process's limits, read once from the environment ``serve`` hands its workers."""
    settings = Settings()
    return settings.max_header_bytes, settings.max_header_count


class LimitedHttpToolsProtocol(CoalescingHttpToolsProtocol):
    """See the module docstring. One instance per connection."""

    _in_head = True
    _head_bytes = 0  # raw bytes received since this request's head began
    _head_size = 0  # parsed: the URL and each header's name and value
    _header_count = 0
    _refusal: str | None = None

    def data_received(self, data: bytes) -> None:
        if self._in_head:
            self._head_bytes += len(data)
        super().data_received(data)
        max_bytes, _ = limits()
        if self._in_head and self._head_bytes > max_bytes and self._refusal is None:
            self._refuse(f"Request headers may not exceed {max_bytes} bytes.")

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._head_size = self._header_count = 0

    def on_url(self, url: bytes) -> None:
        self._count(len(url), 0)
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count(len(name) + len(value) + 4, 1)  # ": " and CRLF
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._in_head = False
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._in_head = True
        self._head_bytes = 0

    def send_400_response(self, msg: str) -> None:
        if self._refusal is not None:
            self._refuse(self._refusal)
        else:
            super().send_400_response(msg)

    def _count(self, size: int, headers: int) -> None:
        max_bytes, max_count = limits()
        self._head_size += size
        self._header_count += headers
        if self._head_size > max_bytes:
            self._refusal = f"Request headers may not exceed {max_bytes} bytes."
        elif self._header_count > max_count:
            self._refusal = f"A request may not carry more than {max_count} headers."
        if self._refusal is not None:
            raise HeadTooLargeError(self._refusal)

    def _refuse(self, message: str) -> None:
        """Answer 431 and close: the rest of the head is not worth reading."""
        self._refusal = message
        if self.transport.is_closing():
            return
        body = json.dumps(error_body("Request.HeadersTooLarge", message)).encode()
        self.logger.warning("Refused a request: %s", message)
        self.transport.write(
            b"".join(
                [
                    _REASON,
                    b"content-type: application/json\r\n",
                    b"content-length: " + str(len(body)).encode() + b"\r\n",
                    b"cache-control: no-store\r\n",
                    b"connection: close\r\n\r\n",
                    body,
                ]
            )
        )
        self.transport.close()
