"""`progress.updated` over real Socket.IO, in both profiles: pushed to the client and their
trainer after a batch of events that broke a record (a heavier set, a better 1RM, a bigger
session at its end), and after no batch that broke none."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import socketio

from tests.e2e.realtime.conftest import SESSIONS, Live
from tests.support import relate

PUSH = "progress.updated"


class Listener:
    def __init__(self) -> None:
        self.client = socketio.AsyncClient(reconnection=False)
        self.pushes: list[dict[str, Any]] = []
        self.client.on(PUSH, self.pushes.append)

    async def connect(self, live: Live, uid: str, role: str) -> Listener:
        await self.client.connect(live.url, auth={"token": live.token(uid, role)}, wait_timeout=5)
        return self

    async def until(self, position: int, timeout: float = 10.0) -> None:
        async with asyncio.timeout(timeout):
            while not any(p["position"] >= position for p in self.pushes):
                await asyncio.sleep(0.02)


def session(live: Live, uid: str, sets: list[tuple[int, float]], end: str) -> list[int]:
    """The positions of the session's sets and of its end."""
    started = live.start_session(uid)["id"]
    positions = [live.command(f"{SESSIONS}/{started}/sets", uid,
                              {"exercise": "Deadlift", "reps": reps, "weight_kg": kg})["position"]
                 for reps, kg in sets]
    return [*positions, live.command(f"{SESSIONS}/{started}/{end}", uid)["position"]]


def covered(these: list[int], by: list[int], after: bool = False) -> bool:
    """Each record (`these`) has a push at or after it: a push tells of the records since the last
    one, as one batch of events may hold several. With `after`, each push (`these`) has a record
    at or before it and after the push before: no batch that broke none pushes."""
    if after:
        return all(any(prev < r <= p for r in by) for prev, p in zip([0, *these], these, strict=False))
    return all(any(p >= r for p in by) for r in these)


async def test_a_record_is_pushed_to_the_client_and_their_trainer_and_nothing_else_is(live: Live) -> None:
    alice, tom = f"alice-{uuid.uuid4().hex[:8]}", f"tom-{uuid.uuid4().hex[:8]}"
    accepted = relate(live.http, live.headers(tom, "trainer"), alice)
    reflected = live.http.get("/v1/queries/relationships", params={"min_position": accepted},
                              headers=live.headers(tom, "trainer"))  # pushes find tom from here on
    assert reflected.status_code == 200, reflected.text
    client = await Listener().connect(live, alice, "client")
    trainer = await Listener().connect(live, tom, "trainer")
    try:
        first, _, done = session(live, alice, [(5, 100), (5, 90)], "complete")
        _, _ = session(live, alice, [(5, 80)], "abandon")
        heavier, _ = session(live, alice, [(1, 120)], "complete")
        await client.until(heavier)
        await trainer.until(heavier)
    finally:
        await client.client.disconnect()
        await trainer.client.disconnect()
    records = [first, done, heavier]  # 5 x 100 kg; a 950 kg session; 120 kg
    pushed = [p["position"] for p in client.pushes]
    assert pushed == [p["position"] for p in trainer.pushes]
    assert covered(records, pushed) and covered(pushed, records, after=True)
    last = client.pushes[-1]
    assert last["id"] == alice and last["data"]["client_id"] == alice
    shown = live.http.get(f"/v1/queries/progress/{alice}", params={"min_position": heavier},
                          headers=live.headers(alice)).json()
    assert last["data"]["records"] == shown["records"]
    assert [r["heaviest_kg"] for r in shown["records"]] == [120.0]
