"""Socket.IO against a real server, in both profiles, with python-socketio's own client."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
import socketio
from prometheus_client import REGISTRY

from domain.values import Role
from infrastructure.dev_tokens import DevTokens
from tests.e2e.realtime.conftest import SESSIONS, Live
from tests.support import relate, wait_until

A_SET = {"exercise": "squat", "reps": 5, "weight_kg": 100, "rpe": 8}
PUSH = "workout_session.updated"


def someone(name: str) -> str:
    """A uid no other test uses (Redis pub/sub channels are shared by every database)."""
    return f"{name}-{uuid.uuid4().hex[:10]}"


class Watcher:
    """A connected client that keeps every workout-session push it receives."""

    def __init__(self) -> None:
        self.client = socketio.AsyncClient(reconnection=False)
        self.pushes: list[dict[str, Any]] = []
        self.arrived = asyncio.Event()
        self.client.on(PUSH, self._received)

    async def _received(self, data: dict[str, Any]) -> None:
        self.pushes.append(data)
        self.arrived.set()

    async def push_for(self, session_id: str, position: int, timeout: float = 5.0) -> dict[str, Any]:
        """The first push of that session at or past that position, waiting for it if need be."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            for push in self.pushes:
                if push["id"] == session_id and push["position"] >= position:
                    return push
            self.arrived.clear()
            await asyncio.wait_for(self.arrived.wait(), max(deadline - loop.time(), 0))

    async def join(self, session_id: str) -> dict[str, Any]:
        return await self.client.call("join", {"room": f"workout-session:{session_id}"}, timeout=5)


@asynccontextmanager
async def connected(live: Live, uid: str, role: str = "client") -> AsyncIterator[Watcher]:
    watcher = Watcher()
    await watcher.client.connect(live.url, auth={"token": live.token(uid, role)}, wait_timeout=5)
    try:
        yield watcher
    finally:
        await watcher.client.disconnect()


async def refusal(live: Live, auth: Any) -> str:
    """Tries to connect with that auth; answers the server's reason for refusing."""
    client = socketio.AsyncClient(reconnection=False)
    reasons: list[Any] = []
    client.on("connect_error", reasons.append)
    with pytest.raises(socketio.exceptions.ConnectionError):
        await client.connect(live.url, auth=auth, wait_timeout=5)
    await client.disconnect()
    return str(reasons)


def connections() -> float:
    return REGISTRY.get_sample_value("gymgenius_realtime_connections") or 0.0


async def test_a_token_connects_and_a_missing_or_forged_one_is_refused(live):
    before = connections()
    async with connected(live, someone("alice")) as alice:
        assert alice.client.connected and connections() == before + 1
    wait_until(lambda: connections() == before, 5, "the disconnect to be counted")
    stranger = DevTokens("a-signing-key-that-gymgenius-never-trusted", lambda: datetime.now(UTC))
    forged = stranger.issue("alice", Role.ADMIN)
    assert "a token is required" in await refusal(live, None)
    assert "a token is required" in await refusal(live, {"token": ""})
    assert "invalid token" in await refusal(live, {"token": forged})
    assert "invalid token" in await refusal(live, {"token": "not-a-jwt"})


async def test_a_command_is_pushed_to_its_client_as_the_query_shows_it(live):
    uid = someone("alice")
    async with connected(live, uid) as alice:
        started = live.start_session(uid)
        first = await alice.push_for(started["id"], started["position"])
        logged = live.command(f"{SESSIONS}/{started['id']}/sets", uid, A_SET)
        second = await alice.push_for(started["id"], logged["position"])
    assert set(first) == {"id", "position", "data", "trace_id"}
    assert re.fullmatch(r"[0-9a-f]{32}", first["trace_id"]) and second["trace_id"] != first["trace_id"]
    assert first["position"] == started["position"] and second["position"] == logged["position"]
    assert second["data"] == live.read_session(started["id"], uid, logged["position"])
    assert (second["data"]["version"], len(second["data"]["sets"])) == (2, 1)


async def test_a_client_cannot_join_another_clients_session_room(live):
    alice, bob = someone("alice"), someone("bob")
    started = live.start_session(alice)
    live.read_session(started["id"], alice, started["position"])
    async with connected(live, bob) as watcher:
        assert await watcher.join(started["id"]) == {"ok": False}
    async with connected(live, alice) as owner:
        assert await owner.join(started["id"]) == {"ok": True}


async def test_room_names_and_payloads_other_than_a_session_room_are_refused(live):
    async with connected(live, someone("carol")) as carol:
        for payload in ({"room": "user:someone-else"}, {"room": "role:admin"}, {"room": 7},
                        {"room": "workout-session:not-a-uuid"}, {"rooms": "x"}, "room", None, [1]):
            assert await carol.client.call("join", payload, timeout=5) == {"ok": False}, payload
        assert await carol.client.call("leave", {"room": "user:x"}, timeout=5) == {"ok": False}
        assert await carol.client.call("join", timeout=5) == {"ok": False}


async def test_an_assigned_trainer_watches_each_set_as_the_client_logs_it(live):
    client, trainer = someone("alice"), someone("tom")
    assign(live, trainer, client)
    started = live.start_session(client)
    live.read_session(started["id"], client, started["position"])
    async with connected(live, trainer, "trainer") as tom:
        assert await tom.join(started["id"]) == {"ok": True}
        for number in (1, 2, 3):
            logged = live.command(f"{SESSIONS}/{started['id']}/sets", client, A_SET)
            push = await tom.push_for(started["id"], logged["position"])
            assert [s["set_number"] for s in push["data"]["sets"]] == list(range(1, number + 1))
        assert await tom.client.call("leave", {"room": f"workout-session:{started['id']}"},
                                     timeout=5) == {"ok": True}


async def test_an_unassigned_trainer_is_refused_and_sees_nothing(live):
    client, trainer = someone("alice"), someone("tina")
    assign(live, trainer, someone("another-client"))
    started = live.start_session(client)
    live.read_session(started["id"], client, started["position"])
    async with connected(live, client) as owner, connected(live, trainer, "trainer") as tina:
        assert await tina.join(started["id"]) == {"ok": False}
        logged = live.command(f"{SESSIONS}/{started['id']}/sets", client, A_SET)
        await owner.push_for(started["id"], logged["position"])
        await tina.client.call("join", {"room": "nothing"}, timeout=5)  # a round trip after it
    assert tina.pushes == []


async def test_an_admin_may_watch_any_session(live):
    client = someone("alice")
    started = live.start_session(client)
    async with connected(live, someone("root"), "admin") as root:
        assert await root.join(started["id"]) == {"ok": True}
        logged = live.command(f"{SESSIONS}/{started['id']}/pause", client)
        assert (await root.push_for(started["id"], logged["position"]))["data"]["status"] == "paused"


PLAN = {"kind": "workout", "title": "Strength block", "price_paise": None,
        "content": {"days": [{"name": "Day 1", "exercises": [{"name": "squat", "sets": 5, "reps": 5}]}]}}


def assign(live: Live, staff_id: str, client_id: str) -> None:
    """The client accepts the staff member's invitation; the staff member writes a plan,
    publishes it and assigns it to the client, for real."""
    def as_staff(path: str, body: dict[str, Any]) -> dict[str, Any]:
        answer = live.http.post(path, json=body, headers=live.headers(staff_id, "trainer"))
        assert answer.status_code in (200, 201), answer.text
        return answer.json()

    plan = as_staff("/v1/commands/plans", PLAN)["id"]
    as_staff(f"/v1/commands/plans/{plan}/publish", {})
    relate(live.http, live.headers(staff_id, "trainer"), client_id)
    assigned = as_staff(f"/v1/commands/plans/{plan}/assign", {"client_id": client_id})
    seen = live.http.get(f"/v1/queries/plans/{plan}", params={"min_position": assigned["position"]},
                         headers=live.headers(staff_id, "trainer"))
    assert seen.status_code == 200, seen.text
