"""The chat benchmark's baseline: a bare Socket.IO relay with nothing else (no token, no store,
no worker). A socket joins a room; `send` is acknowledged and emitted to the room at once, the
shape of our chat's round trip without its work. `uvicorn --factory ops.bench.chat_baseline:create`."""

from __future__ import annotations

from typing import Any

import socketio


def create() -> socketio.ASGIApp:
    sio = socketio.AsyncServer(async_mode="asgi", cors_allowed_origins=[])

    async def join(sid: str, data: Any) -> dict[str, bool]:
        await sio.enter_room(sid, data["room"])
        return {"ok": True}

    async def send(sid: str, data: Any) -> dict[str, Any]:
        room = f"chat:{data['conversation_id']}"
        await sio.emit("chat.message", {"conversation_id": data["conversation_id"],
                                        "data": {"client_message_id": data["client_message_id"]}},
                       room=room)
        return {"ok": True}

    sio.on("join", join)
    sio.on("send", send)

    async def health(scope: Any, receive: Any, send_: Any) -> None:
        await send_({"type": "http.response.start", "status": 200, "headers": []})
        await send_({"type": "http.response.body", "body": b"ok"})

    return socketio.ASGIApp(sio, other_asgi_app=health)
