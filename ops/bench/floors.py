"""The floors under the read side's freshness, measured in the same run on the same machine.

- NOTIFY to LISTEN: how soon any other process can learn that a transaction committed.
- A Redis emit to a Socket.IO client: the push path alone (the write-only manager the worker
  uses, Redis pub/sub, the server's manager, the websocket), with no projection in front of it.
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import psycopg
import socketio

from infrastructure.realtime import CHANNEL
from ops.bench.latencies import summary


def notify_to_listen(database_url: str, rate: float = 500, seconds: float = 4.0) -> dict[str, Any]:
    """NOTIFY from one connection at `rate`/s, received on another; the payload is the send time."""
    got: list[float] = []
    ready = threading.Event()

    def listen() -> None:
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute("LISTEN gymgenius_bench_floor")
            ready.set()
            for note in conn.notifies(timeout=seconds + 5, stop_after=int(rate * seconds)):
                got.append(1000 * (time.perf_counter() - float(note.payload)))

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    ready.wait(10)
    with psycopg.connect(database_url, autocommit=True) as conn:
        began = time.perf_counter()
        for n in range(int(rate * seconds)):
            time.sleep(max(0.0, began + n / rate - time.perf_counter()))
            conn.execute("SELECT pg_notify('gymgenius_bench_floor', %s)", (repr(time.perf_counter()),))
    listener.join(timeout=seconds + 10)
    return summary(got)


async def emit_to_socket(url: str, redis_url: str, token: str, uid: str, rate: float = 500,
                         seconds: float = 4.0) -> dict[str, Any]:
    """Emits through Redis to the user's room at `rate`/s, as the worker does; timed at the client."""
    got: list[float] = []
    client = socketio.AsyncClient(reconnection=False)

    @client.on("bench.floor")
    async def floor(payload: dict[str, Any]) -> None:
        got.append(1000 * (time.perf_counter() - payload["t"]))

    await client.connect(url, auth={"token": token}, transports=["websocket"])
    emitter = socketio.RedisManager(redis_url, channel=CHANNEL, write_only=True)
    try:
        await asyncio.to_thread(_emit_steadily, emitter, uid, rate, seconds)
        deadline = time.perf_counter() + 5
        while len(got) < int(rate * seconds) and time.perf_counter() < deadline:
            await asyncio.sleep(0.05)
    finally:
        await client.disconnect()
    return summary(got)


def _emit_steadily(emitter: socketio.RedisManager, uid: str, rate: float, seconds: float) -> None:
    began = time.perf_counter()
    for n in range(int(rate * seconds)):
        time.sleep(max(0.0, began + n / rate - time.perf_counter()))
        emitter.emit("bench.floor", {"t": time.perf_counter()}, namespace="/", room=f"user:{uid}")
