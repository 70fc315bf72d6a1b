"""Access over Socket.IO follows relationships, in both profiles: when one ends, the staff
member's sockets leave the client's live rooms at once (across processes, through Redis, in the
server profile), and a plan's pushes show each client only their own id."""

from __future__ import annotations

import asyncio
from typing import Any

import socketio

from tests.e2e.realtime.conftest import SESSIONS, Live
from tests.e2e.realtime.test_socketio import A_SET, PLAN, connected, someone
from tests.support import relate, wait_until

PLANS = "/v1/commands/plans"


def _in_room(live: Live, sid: str | None, room: str) -> bool:
    return any(s == sid for s, _ in live.system.realtime.server.manager.get_participants("/", room))


async def _until(condition: Any, what: str) -> None:
    """Waits (5 s at most) for a condition on the server, without blocking this loop."""
    await asyncio.to_thread(wait_until, condition, 5, what)


def _end(live: Live, client: str) -> int:
    """The client ends their relationship; answers once the relationships model reflects it."""
    def active() -> list[dict]:  # the relationship was started by another's command, position unknown here
        return live.http.get("/v1/queries/relationships", headers=live.headers(client),
                             params={"status": "active"}).json()["items"]

    [row] = wait_until(active, 5, "the active relationship")  # type: ignore[misc]
    ended = live.command(f"/v1/commands/relationships/{row['id']}/end", client)
    seen = live.http.get("/v1/queries/relationships", headers=live.headers(client),
                         params={"min_position": ended["position"], "status": "ended"})
    assert seen.status_code == 200 and seen.json()["items"], seen.text
    return int(ended["position"])


async def test_a_trainer_watching_stops_receiving_a_clients_sets_once_the_relationship_ends(live):
    await watching_stops_when_the_relationship_ends(live)


async def watching_stops_when_the_relationship_ends(live: Live) -> None:
    client, trainer = someone("alice"), someone("tom")
    accepted = relate(live.http, live.headers(trainer, "trainer"), client)
    related = live.http.get("/v1/queries/relationships", headers=live.headers(trainer, "trainer"),
                            params={"min_position": accepted})  # each read model keeps its own pace
    assert related.status_code == 200, related.text
    started = live.start_session(client)
    live.read_session(started["id"], client, started["position"])
    room = f"workout-session:{started['id']}"
    async with connected(live, client) as owner, connected(live, trainer, "trainer") as tom:
        assert await tom.join(started["id"]) == {"ok": True}
        logged = live.command(f"{SESSIONS}/{started['id']}/sets", client, A_SET)
        await tom.push_for(started["id"], logged["position"])
        _end(live, client)
        sid = tom.client.get_sid("/")
        await _until(lambda: not _in_room(live, sid, room), "the trainer's socket to leave the room")
        after = live.command(f"{SESSIONS}/{started['id']}/sets", client, A_SET)
        await owner.push_for(started["id"], after["position"])
        await tom.client.call("join", {"room": "nothing"}, timeout=5)  # a round trip after it
        assert await tom.join(started["id"]) == {"ok": False}
    assert all(push["position"] < after["position"] for push in tom.pushes)
    assert owner.client.connected is False


class PlanWatcher:
    """A connected socket that keeps the plan pushes it receives."""

    def __init__(self) -> None:
        self.client = socketio.AsyncClient(reconnection=False)
        self.pushes: list[dict[str, Any]] = []
        self.client.on("plan.updated", self._received)

    async def _received(self, data: dict[str, Any]) -> None:
        self.pushes.append(data)

    def clients_at(self, position: int) -> list[str] | None:
        found = [p["data"]["client_ids"] for p in self.pushes if p["position"] == position]
        return found[-1] if found else None


async def test_a_plans_pushes_show_each_client_only_their_own_id(live):
    trainer, alice, bob = someone("tom"), someone("alice"), someone("bob")
    staff = live.headers(trainer, "trainer")
    for client in (alice, bob):
        relate(live.http, staff, client)
    plan = live.http.post(PLANS, json=PLAN, headers=staff).json()["id"]
    live.http.post(f"{PLANS}/{plan}/publish", json={}, headers=staff)
    live.http.post(f"{PLANS}/{plan}/assign", json={"client_id": alice}, headers=staff)
    watchers = {uid: PlanWatcher() for uid in (trainer, alice, bob)}
    for uid, watcher in watchers.items():
        role = "trainer" if uid == trainer else "client"
        await watcher.client.connect(live.url, auth={"token": live.token(uid, role)}, wait_timeout=5)
    try:
        last = live.http.post(f"{PLANS}/{plan}/assign", json={"client_id": bob}, headers=staff).json()
        position = last["position"]
        for uid in watchers:
            await _until(lambda u=uid: watchers[u].clients_at(position) is not None, f"{uid}'s push")
        assert watchers[trainer].clients_at(position) == [alice, bob]
        assert watchers[alice].clients_at(position) == [alice]
        assert watchers[bob].clients_at(position) == [bob]
    finally:
        for watcher in watchers.values():
            await watcher.client.disconnect()
