"""Socket.IO with Firebase ID tokens, in both profiles with development tokens off: connect verifies
like a request, a socket is disconnected when its token expires, and `reauth` keeps it."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
import socketio

from domain.values import Role
from infrastructure.bootstrap import System
from interfaces.http.app import create_asgi
from tests.e2e.realtime.conftest import Uvicorn


class Book:
    def __init__(self, roles: dict[str, Role]) -> None:
        self.roles = roles

    def role_of(self, uid: str, claimed: Role) -> Role:
        return self.roles.setdefault(uid, claimed)


@pytest.fixture
def served(firebase_system: System) -> Iterator[tuple[System, str]]:
    with Uvicorn(create_asgi(firebase_system)) as server:
        yield firebase_system, server.url


def someone(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:10]}"


async def until(condition: Callable[[], object], timeout: float, what: str) -> None:
    """Polls a condition on this event loop (the client's) until it holds or the deadline passes."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out after {timeout}s waiting for {what}"
        await asyncio.sleep(0.02)


@asynccontextmanager
async def socket(url: str, token: str) -> AsyncIterator[socketio.AsyncClient]:
    client = socketio.AsyncClient(reconnection=False)
    await client.connect(url, auth={"token": token}, wait_timeout=5)
    try:
        yield client
    finally:
        await client.disconnect()


async def refusal(url: str, token: str) -> str:
    client = socketio.AsyncClient(reconnection=False)
    reasons: list[Any] = []
    client.on("connect_error", reasons.append)
    with pytest.raises(socketio.exceptions.ConnectionError):
        await client.connect(url, auth={"token": token}, wait_timeout=5)
    await client.disconnect()
    return str(reasons)


async def test_a_firebase_token_connects_and_a_too_old_or_forged_one_is_refused(fake, served):
    _, url = served
    async with socket(url, fake.mint(someone("alice"))) as alice:
        assert alice.connected
    assert "invalid token" in await refusal(url, fake.mint("alice", issued=time.time() - 31 * 60))
    assert "invalid token" in await refusal(url, fake.mint("alice", aud="another-project"))
    assert "invalid token" in await refusal(url, fake.forged_with_public_key("alice", "admin"))


async def test_a_socket_is_disconnected_when_its_token_expires(fake, served):
    _, url = served
    async with socket(url, fake.mint(someone("bob"), lifetime=2)) as bob:
        assert bob.connected
        await until(lambda: not bob.connected, 10, "the expired socket to be disconnected")


async def test_a_fresh_token_for_the_same_uid_keeps_the_socket_past_the_old_expiry(fake, served):
    _, url = served
    uid = someone("carol")
    async with socket(url, fake.mint(uid, lifetime=3)) as carol, \
            socket(url, fake.mint(someone("control"), lifetime=3)) as control:
        assert await carol.call("reauth", {"token": fake.mint(uid)}, timeout=5) == {"ok": True}
        await until(lambda: not control.connected, 10, "the socket without reauth to be disconnected")
        assert carol.connected


async def test_reauth_refuses_another_uid_a_bad_token_or_none(fake, served):
    _, url = served
    uid = someone("dave")
    async with socket(url, fake.mint(uid)) as dave:
        for data in ({"token": fake.mint(someone("eve"))}, {"token": "not-a-jwt"}, None, "x",
                     {"token": fake.mint(uid, issued=time.time() - 31 * 60)}):
            assert await dave.call("reauth", data, timeout=5) == {"ok": False}, data
        assert dave.connected


async def test_a_sockets_role_comes_from_our_record_not_the_tokens_claim(fake, served):
    system, url = served
    demoted = someone("frank")
    system.roles = Book({demoted: Role.CLIENT})
    room = {"room": f"workout-session:{uuid.uuid4()}"}  # admins may watch any session; clients not this one
    async with socket(url, fake.mint(demoted, "admin")) as frank, \
            socket(url, fake.mint(someone("grace"), "admin")) as grace:
        assert await frank.call("join", room, timeout=5) == {"ok": False}
        assert await grace.call("join", room, timeout=5) == {"ok": True}


async def test_a_flood_of_bad_tokens_from_one_address_is_refused_before_verification(fake, served):
    """As over HTTP: failed connections count against the address; once they fill its window
    (60 a minute) the next are refused at once, and no token of theirs is verified."""
    system, url = served
    verified: list[str] = []
    verify = system.tokens.verify

    def counted(token: str, **options: Any) -> Any:
        verified.append(token)
        return verify(token, **options)

    system.tokens.verify = counted  # type: ignore[method-assign]
    reasons = [await refusal(url, fake.mint("mallory", aud="another-project")) for _ in range(66)]
    assert all("invalid token" in reason for reason in reasons[:60]), reasons[:60]
    assert all("too many failed connections" in reason for reason in reasons[60:]), reasons[60:]
    assert len(verified) == 60
