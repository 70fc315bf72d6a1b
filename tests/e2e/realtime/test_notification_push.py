"""A notification reaches its recipient's socket once the read model has it, and no one else's."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import socketio
from starlette.concurrency import run_in_threadpool

from tests.e2e.http.payment_steps import Steps
from tests.e2e.realtime.conftest import Live


async def listening(live: Live, uid: str, got: list[dict[str, Any]],
                    came: asyncio.Event) -> socketio.AsyncClient:
    client = socketio.AsyncClient(reconnection=False)

    async def keep(data: dict[str, Any]) -> None:
        got.append(data)
        came.set()

    client.on("notification", keep)
    await client.connect(live.url, auth={"token": live.token(uid)}, wait_timeout=5)
    return client


async def test_a_captured_payment_pushes_a_notification_to_its_payer_only(live):
    payer, other = f"nina-{uuid.uuid4().hex[:10]}", f"omar-{uuid.uuid4().hex[:10]}"
    mine: list[dict[str, Any]] = []
    theirs: list[dict[str, Any]] = []
    came, stray = asyncio.Event(), asyncio.Event()
    nina = await listening(live, payer, mine, came)
    omar = await listening(live, other, theirs, stray)
    try:
        captured = await run_in_threadpool(Steps(live.system).captured, payer, 49_900)
        await asyncio.wait_for(came.wait(), 10)
    finally:
        await nina.disconnect()
        await omar.disconnect()
    push = mine[0]
    assert push["position"] == captured.position
    listed = live.http.get("/v1/queries/notifications", params={"min_position": captured.position},
                           headers=live.headers(payer)).json()
    assert push["data"] == listed["items"][0]
    assert push["data"]["kind"] == "payment_captured" and push["data"]["read"] is False
    assert theirs == []
