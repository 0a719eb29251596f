"""A bound on JSON nesting, checked on the raw bytes before any parser or validator recurses.

``json.loads``, Pydantic and our own validators walk nested values recursively: a body of a
few kilobytes nested a few hundred levels deep (``{"xp":{"a":{"a":…}}}``) used to end in a
``RecursionError``, a 500 or a dropped connection. ``JsonDepthLimit`` reads each request body
that may be JSON (whatever its declared content type: FastAPI parses a body without one as
JSON) and refuses one nested deeper than ``GATEHOUSE_MAX_JSON_DEPTH`` with 400
``ValidationFailure``. Its size is already bounded by ``BodySizeLimit``, which wraps it.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate, repeat
from operator import sub

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gatehouse.http.errors import error_body

# A JSON string, escapes included; possessive so that no input makes the match backtrack.
_STRING = re.compile(rb'"(?:[^"\\]++|\\.)*+"', re.DOTALL)
_NOT_BRACKET = re.compile(rb"[^\[\]{}]++")
# Each opening bracket becomes 2 and each closing one 0; minus 1 gives the depth's step.
_STEPS = bytes.maketrans(b"[{]}", b"\x02\x02\x00\x00")
_FORM_TYPES = (b"application/x-www-form-urlencoded", b"multipart/form-data")
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def json_depth(body: bytes) -> int:
    """The deepest nesting of arrays and objects in ``body`` (brackets inside strings do not
    count). Linear and without recursion: regular expressions and ``accumulate`` run in C."""
    brackets = _NOT_BRACKET.sub(b"", _STRING.sub(b"", body)).translate(_STEPS)
    if not brackets:
        return 0
    deepest: int = max(accumulate(map(sub, brackets, repeat(1))))
    return max(deepest, 0)


class JsonDepthLimit:
    """Refuse request bodies nested deeper than ``max_depth`` (see the module docstring)."""

    def __init__(self, app: ASGIApp, max_depth: int) -> None:
        self.app = app
        self.max_depth = max_depth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _may_carry_json(scope):
            await self.app(scope, receive, send)
            return
        body, complete = await _read_body(receive)
        if not complete:
            return  # the client went away mid-body: nobody to answer
        if json_depth(body) > self.max_depth:
            await _refuse(send, self.max_depth)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


def _may_carry_json(scope: Scope) -> bool:
    if scope["method"] not in _BODY_METHODS:
        return False
    headers = dict(scope["headers"])
    if headers.get(b"content-length", b"") == b"0":
        return False
    content_type = headers.get(b"content-type", b"").lower()
    return not content_type.startswith(_FORM_TYPES)


async def _read_body(receive: Receive) -> tuple[bytes, bool]:
    """The whole body (bounded by ``BodySizeLimit`` around us) and whether it arrived."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"", False
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks), True


async def _refuse(send: Send, max_depth: int) -> None:
    message = f"JSON bodies may not be nested more than {max_depth} levels deep."
    body = json.dumps(error_body("ValidationFailure", message, {"MaxDepth": max_depth}))
    await send(
        {
            "type": "http.response.start",
            "status": 400,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": body.encode()})
