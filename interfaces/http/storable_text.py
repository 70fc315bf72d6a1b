"""The edge's one check of text: what PostgreSQL cannot store never reaches a command or query.

A plain ASGI wrapper on every route: the path, every query parameter and every string (and
key, and integer) at any depth of a JSON body are checked once, before routing; a NUL, a lone
surrogate or an integer beyond a bigint is a 422 problem whose `errors` locate it. The body is
handed on byte for byte (a signed webhook still verifies).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from infrastructure.eventstore.storable import unstorable, unstorable_chars
from interfaces.http.problems import problem

MAX_ERRORS = 20
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class StorableText:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        errors = _in_url(scope)
        if scope["method"] in BODY_METHODS:
            body = await _read(receive)
            errors += _in_body(body)
            receive = _replay(body, receive)
        if errors:
            refusal = problem(Request(scope), 422, "validation", "Invalid request",
                              "text may not hold a NUL character or a lone surrogate, and integers "
                              "must fit in 64 bits", errors=errors[:MAX_ERRORS])
            await refusal(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _in_url(scope: Scope) -> list[dict[str, Any]]:
    errors = []
    if unstorable_chars(scope["path"]):
        errors.append({"loc": ["path"], "msg": "the path may not hold a NUL character"})
    query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
    for name, value in query:
        if unstorable_chars(name) or unstorable_chars(value):
            errors.append({"loc": ["query", json.dumps(name)[1:-1]],
                           "msg": "text may not hold a NUL character or a lone surrogate"})
    return errors


def _in_body(body: bytes) -> list[dict[str, Any]]:
    try:
        decoded = json.loads(body) if body else None
    except ValueError:  # not JSON (or not UTF-8): the route's own validation answers that
        return []
    return [{"loc": ["body", *loc], "msg": msg} for loc, msg in unstorable(decoded)]


async def _read(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, then: Receive) -> Receive:
    """The body once, as one message; then whatever the client sends next (its disconnect)."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await then()

    return receive
