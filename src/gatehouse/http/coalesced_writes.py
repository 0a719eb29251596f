"""One write per response: a response's head and body leave in one ``send`` (issue 12).

uvicorn's httptools protocol writes a response's status line and headers on
``http.response.start`` and its body on ``http.response.body``: two ``transport.write`` calls,
so two ``send`` syscalls and two TCP segments per response, and two wake-ups of the client.
Each costs little CPU (about 1.4 µs on loopback), but on a busy machine a write that wakes the
client can cost the server its core: py-spy found a warm client_credentials request in those
writes as often as in its RSA signature. One write per response halves the wake-ups
(bench/README.md, "One write per response").

``CoalescingHttpToolsProtocol`` is that protocol with one change: the bytes uvicorn writes for
a response's head are held back until the connection's next write, which then carries both.

- An ordinary response (Starlette's ``Response`` sends the start, then its whole body) goes
  out in one write. A streaming response's first chunk carries the head; nothing else is held.
- The head is never held past the current event loop iteration (a ``call_soon`` flush), the
  response's completion (HEAD, 204) or a close (an error after the start message closes the
  connection as before, the head written first).
- The protocol's own answers (400, 431) are written after a held head, never before it.

Everything else is uvicorn's code, unchanged: the bytes of the head and body, Content-Length
checks, keep-alive, ``Connection: close``, 100-continue, flow control and graceful shutdown.
Each cycle writes through the connection's ``ResponseWriter`` instead of the transport, set
where uvicorn starts the cycle; ``tests/unit/http/test_coalesced_writes.py`` fails if the
uvicorn internals this relies on change.
"""

from __future__ import annotations

import asyncio
from typing import cast

from uvicorn._types import ASGI3Application
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol, RequestResponseCycle

JOIN_LIMIT = 64 * 1024
"""Up to this many body bytes are copied behind the head; a bigger body is written with
``writelines`` (one ``writev`` on uvloop) rather than copied."""

Bytes = bytes | bytearray | memoryview


class ResponseWriter:
    """What a connection's responses write to: the transport, holding back one head.

    ``armed`` is set when a response cycle starts: its first write is uvicorn's head (status
    line and headers), which is held until the next write, the completion, a close or the end
    of this loop iteration, whichever comes first."""

    __slots__ = ("_flush_soon", "_head", "_loop", "_transport", "armed")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._head: Bytes | None = None
        self._flush_soon: asyncio.Handle | None = None
        self.armed = False

    def write(self, data: Bytes) -> None:
        head = self._take()
        if head is not None:
            if len(data) <= JOIN_LIMIT:
                self._transport.write(b"".join((head, data)))
            else:
                self._transport.writelines((head, data))
        elif self.armed:
            self.armed = False
            self._head = data
            self._flush_soon = self._loop.call_soon(self.flush)
        else:
            self._transport.write(data)

    def flush(self) -> None:
        """Write a held head now; dropped if the connection is already gone, as uvicorn stops
        writing to a disconnected client."""
        head = self._take()
        if head is not None and not self._transport.is_closing():
            self._transport.write(head)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def is_closing(self) -> bool:
        return self._transport.is_closing()

    def _take(self) -> Bytes | None:
        head = self._head
        if head is not None:
            self._head = None
            self._flush_soon.cancel()  # type: ignore[union-attr]  # set with every head
            self._flush_soon = None
        return head


class CoalescingHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, one write per response (see the module docstring)."""

    writer: ResponseWriter

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.writer = ResponseWriter(transport, self.loop)

    def data_received(self, data: bytes) -> None:
        self.writer.flush()  # a 400 or 431 written while parsing comes after a held head
        super().data_received(data)

    def _start_asgi_task(self, cycle: RequestResponseCycle, app: ASGI3Application) -> None:
        """Where uvicorn starts every cycle, pipelined ones included, one at a time."""
        cycle.transport = cast(asyncio.Transport, self.writer)
        # A "100 Continue" would be the first write: such a response is written as uvicorn does.
        self.writer.armed = not cycle.waiting_for_100_continue
        super()._start_asgi_task(cycle, app)

    def on_response_complete(self) -> None:
        self.writer.flush()  # a HEAD response writes nothing after its head
        super().on_response_complete()
