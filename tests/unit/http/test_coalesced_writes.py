"""One write per response (``gatehouse.http.coalesced_writes``), checked on the protocol with a
transport that records every ``write``: what uvicorn used to send in two writes (head, then
body) goes out in one, and everything else it does is unchanged."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol, RequestResponseCycle
from uvicorn.server import ServerState

from gatehouse.http.coalesced_writes import JOIN_LIMIT, CoalescingHttpToolsProtocol
from gatehouse.http.header_limits import LimitedHttpToolsProtocol

Send = Callable[[dict[str, Any]], Awaitable[None]]
Receive = Callable[[], Awaitable[dict[str, Any]]]
App = Callable[[dict[str, Any], Receive, Send], Awaitable[None]]
GET = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"


class RecordingTransport(asyncio.Transport):
    """Each ``write`` (or ``writelines``: one ``writev``) is one entry of ``writes``."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[bytes] = []
        self.closed = False

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"sockname": ("127.0.0.1", 8000), "peername": ("127.0.0.1", 50000)}.get(name)

    def write(self, data: Any) -> None:
        assert not self.closed, "written after close"
        self.writes.append(bytes(data))

    def writelines(self, lines: Any) -> None:
        self.write(b"".join(lines))

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


class Connection:
    def __init__(self, app: App, protocol: type[HttpToolsProtocol]) -> None:
        config = uvicorn.Config(app=app, log_config=None, proxy_headers=False, ws="none")
        self.state = ServerState()
        loop = asyncio.get_running_loop()
        self.protocol = protocol(config, self.state, {}, loop)
        self.transport = RecordingTransport()
        self.protocol.connection_made(self.transport)

    async def request(self, data: bytes) -> list[bytes]:
        """Feed ``data``, let every response finish; what was written."""
        self.protocol.data_received(data)
        for _ in range(5):
            while self.state.tasks:
                await asyncio.gather(*self.state.tasks)
            await asyncio.sleep(0)  # a pipelined request's task, the call_soon flush
        return self.transport.writes


def respond(
    body: bytes, *, status: int = 200, headers: list[tuple[bytes, bytes]] | None = None
) -> App:
    """What Starlette's ``Response`` does: the start, then the whole body."""

    async def app(scope: dict[str, Any], receive: Receive, send: Send) -> None:
        length = [(b"content-length", str(len(body)).encode())]
        await send(
            {"type": "http.response.start", "status": status, "headers": length + (headers or [])}
        )
        await send({"type": "http.response.body", "body": body})

    return app


async def test_a_response_goes_out_in_one_write() -> None:
    writes = await Connection(respond(b'{"ok":1}'), CoalescingHttpToolsProtocol).request(GET)
    assert writes == [b'HTTP/1.1 200 OK\r\ncontent-length: 8\r\n\r\n{"ok":1}']


async def test_the_served_protocol_coalesces() -> None:
    connection = Connection(respond(b"hi"), LimitedHttpToolsProtocol)
    assert await connection.request(GET) == [b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nhi"]


async def test_uvicorn_alone_writes_twice() -> None:
    """The baseline the change removes (and proof the recording transport sees it)."""
    writes = await Connection(respond(b"hi"), HttpToolsProtocol).request(GET)
    assert writes == [b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n", b"hi"]


async def test_head_sends_the_head_only_and_keeps_its_content_length() -> None:
    connection = Connection(respond(b"hello"), CoalescingHttpToolsProtocol)
    writes = await connection.request(b"HEAD / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert writes == [b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\n"]
    assert not connection.transport.closed


async def test_keep_alive_pipelined_requests_are_answered_in_order() -> None:
    connection = Connection(respond(b"a"), CoalescingHttpToolsProtocol)
    writes = await connection.request(GET * 3)
    assert writes == [b"HTTP/1.1 200 OK\r\ncontent-length: 1\r\n\r\na"] * 3
    assert not connection.transport.closed


async def test_connection_close_writes_then_closes() -> None:
    app = respond(b"bye", headers=[(b"connection", b"close")])
    connection = Connection(app, CoalescingHttpToolsProtocol)
    writes = await connection.request(GET)
    assert writes == [b"HTTP/1.1 200 OK\r\ncontent-length: 3\r\nconnection: close\r\n\r\nbye"]
    assert connection.transport.closed
    http10 = Connection(respond(b"x"), CoalescingHttpToolsProtocol)
    assert len(await http10.request(b"GET / HTTP/1.0\r\n\r\n")) == 1
    assert http10.transport.closed


async def test_a_big_body_is_not_copied_but_still_one_write() -> None:
    body = b"x" * (JOIN_LIMIT + 1)
    writes = await Connection(respond(body), CoalescingHttpToolsProtocol).request(GET)
    assert writes == [b"HTTP/1.1 200 OK\r\ncontent-length: %d\r\n\r\n" % len(body) + body]


async def test_a_stream_sends_its_head_within_one_loop_iteration_then_each_chunk() -> None:
    go = asyncio.Event()

    async def app(scope: dict[str, Any], receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await go.wait()
        await send({"type": "http.response.body", "body": b"one", "more_body": True})
        await send({"type": "http.response.body", "body": b"two", "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    connection = Connection(app, CoalescingHttpToolsProtocol)
    connection.protocol.data_received(GET)
    for _ in range(3):
        await asyncio.sleep(0)
    head = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"
    assert connection.transport.writes == [head]  # not held until the first chunk
    go.set()
    writes = await connection.request(b"")
    assert writes == [head, b"3\r\none\r\n", b"3\r\ntwo\r\n", b"0\r\n\r\n"]


async def test_a_first_chunk_carries_the_head() -> None:
    async def app(scope: dict[str, Any], receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"one", "more_body": True})
        await asyncio.sleep(0)
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    writes = await Connection(app, CoalescingHttpToolsProtocol).request(GET)
    head = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"
    assert writes == [head + b"3\r\none\r\n", b"0\r\n\r\n"]


async def test_an_error_after_the_start_writes_the_head_and_closes() -> None:
    async def app(scope: dict[str, Any], receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        raise RuntimeError("boom")

    connection = Connection(app, CoalescingHttpToolsProtocol)
    writes = await connection.request(GET)
    assert writes == [b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"]  # no 500
    assert connection.transport.closed


async def test_an_error_before_the_start_is_a_500_in_one_write() -> None:
    async def app(scope: dict[str, Any], receive: Receive, send: Send) -> None:
        raise RuntimeError("boom")

    connection = Connection(app, CoalescingHttpToolsProtocol)
    (written,) = await connection.request(GET)
    assert written.startswith(b"HTTP/1.1 500 Internal Server Error\r\n")
    assert written.endswith(b"\r\n\r\nInternal Server Error")
    assert connection.transport.closed


async def test_a_short_body_still_fails_content_length() -> None:
    async def short(scope: dict[str, Any], receive: Receive, send: Send) -> None:
        await send(
            {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"9")]}
        )
        await send({"type": "http.response.body", "body": b"abc"})

    connection = Connection(short, CoalescingHttpToolsProtocol)
    writes = await connection.request(GET)
    assert writes == [b"HTTP/1.1 200 OK\r\ncontent-length: 9\r\n\r\nabc"]  # as uvicorn: then close
    assert connection.transport.closed


async def test_100_continue_precedes_the_response_written_as_uvicorn_does() -> None:
    async def app(scope: dict[str, Any], receive: Receive, send: Send) -> None:
        body = (await receive())["body"]
        await respond(body)(scope, receive, send)

    connection = Connection(app, CoalescingHttpToolsProtocol)
    head = b"POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n"
    connection.protocol.data_received(head)
    await asyncio.sleep(0)
    assert connection.transport.writes == [b"HTTP/1.1 100 Continue\r\n\r\n"]
    writes = await connection.request(b"hi")
    assert writes[1:] == [b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n", b"hi"]  # rare: unheld


async def test_a_parse_error_answer_comes_after_a_held_head() -> None:
    """Bytes never leave out of order: the protocol's own 400 follows the held head."""
    connection: Connection

    async def app(scope: dict[str, Any], receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        connection.protocol.data_received(b"\x00garbage\r\n\r\n")  # before the flush runs

    connection = Connection(app, CoalescingHttpToolsProtocol)
    writes = await connection.request(GET)
    assert writes[0] == b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"
    assert writes[1].startswith(b"HTTP/1.1 400 Bad Request\r\n")


async def test_a_held_head_is_dropped_once_the_client_is_gone() -> None:
    async def app(scope: dict[str, Any], receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        connection.protocol.connection_lost(None)
        await send({"type": "http.response.body", "body": b"late"})

    connection = Connection(app, CoalescingHttpToolsProtocol)
    assert await connection.request(GET) == []
    assert connection.transport.closed


async def test_paused_writing_is_waited_for_and_the_response_stays_one_write() -> None:
    connection = Connection(respond(b"ok"), CoalescingHttpToolsProtocol)
    connection.protocol.pause_writing()
    connection.protocol.data_received(GET)
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert connection.transport.writes == []
    connection.protocol.resume_writing()
    writes = await connection.request(b"")
    assert writes == [b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"]


def test_the_uvicorn_internals_relied_on_are_still_there() -> None:
    """Fails loudly when an uvicorn upgrade changes what ``coalesced_writes`` builds on: every
    cycle is started by ``_start_asgi_task`` and writes only through its ``transport``."""
    headers_complete = inspect.getsource(HttpToolsProtocol.on_headers_complete)
    assert "self._start_asgi_task(self.cycle, app)" in headers_complete
    response_complete = inspect.getsource(HttpToolsProtocol.on_response_complete)
    assert "self._start_asgi_task(cycle, app)" in response_complete
    cycle = inspect.getsource(RequestResponseCycle)
    assert cycle.count("self.transport.write(") == 4  # head, chunked body, plain body, 100
    assert "self.waiting_for_100_continue = expect_100_continue" in cycle


@pytest.mark.parametrize("protocol", [CoalescingHttpToolsProtocol, LimitedHttpToolsProtocol])
async def test_a_second_start_is_still_refused(protocol: type[HttpToolsProtocol]) -> None:
    async def app(scope: dict[str, Any], receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.start", "status": 200, "headers": []})

    connection = Connection(app, protocol)
    writes = await connection.request(GET)
    assert writes == [b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"]
    assert connection.transport.closed


async def test_a_pipelined_head_request_then_get() -> None:
    connection = Connection(respond(b"abc"), LimitedHttpToolsProtocol)
    writes = await connection.request(b"HEAD / HTTP/1.1\r\nHost: x\r\n\r\n" + GET)
    head = b"HTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\n"
    assert writes == [head, head + b"abc"]
