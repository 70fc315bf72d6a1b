"""Chat end to end with the JavaScript socket.io-client, in both profiles: a client and their
trainer in the conversation's room exchange messages with acknowledgements, a stranger is
refused, typing is relayed and never stored, and a message sent while the trainer was offline
is in their unread count and history when they come back; once the relationship ends, the
trainer's sockets leave the room and can send no more; socket sends count against the chat limit."""

from __future__ import annotations

import json
import shutil
import subprocess
from uuid import UUID

import httpx

from domain.conversation import Conversation
from infrastructure.bootstrap import bootstrap, init_storage
from infrastructure.settings import Settings
from interfaces.http.app import create_asgi
from tests.e2e.realtime.conftest import Live, Uvicorn
from tests.e2e.realtime.test_node_client import NODE_DIR
from tests.e2e.realtime.test_relationship_sockets import _end, _in_room, _until
from tests.e2e.realtime.test_socketio import connected, someone
from tests.support import relate


def run_chat(live: Live, client: str, trainer: str, stranger: str, conversation: str) -> dict:
    node = shutil.which("node")
    assert node, "Node.js is required for the JavaScript client tests"
    tokens = [live.token(client), live.token(trainer, "trainer"), live.token(stranger)]
    run = subprocess.run([node, "chat.mjs", live.url, *tokens, conversation], cwd=NODE_DIR,
                         capture_output=True, text=True, timeout=30, check=False)
    assert run.returncode == 0, f"exit {run.returncode}: {run.stdout} {run.stderr}"
    return json.loads(run.stdout)


def test_a_client_and_their_trainer_chat_live_and_the_offline_one_catches_up(live: Live):
    client, trainer, stranger = someone("alice"), someone("tom"), someone("bob")
    relate(live.http, live.headers(trainer, "trainer"), client)
    conversation = live.command("/v1/commands/conversations", client, {"with": trainer})["id"]
    seen = run_chat(live, client, trainer, stranger, conversation)
    assert seen["joins"] == {"client": {"ok": True}, "trainer": {"ok": True}, "stranger": {"ok": False}}
    assert (seen["typing"], seen["strangerTyping"]) == ({"ok": True}, {"ok": False})
    assert seen["typingRelayed"] == {"conversation_id": conversation, "uid": client}
    assert seen["clientSawOwnTyping"] == 0
    hello, delivered = seen["hello"], seen["helloDelivered"]
    assert hello["ok"] is True and hello["seq"] == 1
    assert (delivered["conversation_id"], delivered["position"]) == (conversation, hello["position"])
    assert delivered["data"]["text"] == "Hello coach" and delivered["data"]["sender_id"] == client
    assert seen["helloAgain"] == hello  # idempotent on client_message_id
    assert seen["reply"]["seq"] == 2 and seen["replyDelivered"]["data"]["sender_id"] == trainer
    assert not seen["strangerSend"]["ok"] and seen["strangerSend"]["error"]["status"] == 403
    assert not seen["tooLong"]["ok"] and seen["tooLong"]["error"]["status"] == 422
    assert seen["offline"]["seq"] == 3 and seen["rejoin"] == {"ok": True}
    [mine] = seen["conversations"]["items"]
    assert (mine["id"], mine["unread"], mine["last_message"]["text"]) == (conversation, 1, "Are you there?")
    assert [m["text"] for m in seen["history"]["items"]] == ["Are you there?", "Hi! How did the squats go?"]
    stored = live.system.aggregates.load(Conversation, UUID(conversation))
    assert stored.version == 4  # started and three messages: typing is never stored


async def test_a_trainer_leaves_the_chat_room_once_the_relationship_ends(live: Live):
    client, trainer = someone("alice"), someone("tom")
    relate(live.http, live.headers(trainer, "trainer"), client)
    opened = live.http.post("/v1/commands/conversations", json={"with": client},
                            headers=live.headers(trainer, "trainer"))
    conversation = opened.json()["id"]
    room = f"chat:{conversation}"
    async with connected(live, trainer, "trainer") as tom:
        assert await tom.client.call("join", {"room": room}, timeout=5) == {"ok": True}
        sid = tom.client.get_sid("/")
        assert _in_room(live, sid, room)
        _end(live, client)
        await _until(lambda: not _in_room(live, sid, room), "the trainer's socket to leave the chat room")
        assert await tom.client.call("join", {"room": room}, timeout=5) == {"ok": False}
        refused = await tom.client.call("send", {"conversation_id": conversation, "text": "hi",
                                                 "client_message_id": "late"}, timeout=5)
        assert refused["ok"] is False and refused["error"]["status"] == 403


async def test_socket_sends_count_against_the_senders_chat_limit(tmp_path):
    settings = Settings(GYMGENIUS_DATA_DIR=tmp_path / "var", GYMGENIUS_RATE_LIMIT_CHAT="2/minute")  # type: ignore[call-arg]
    init_storage(settings)
    system = bootstrap(settings)
    try:
        with Uvicorn(create_asgi(system)) as server, httpx.Client(base_url=server.url, timeout=10) as http:
            live = Live(system, server.url, http)
            http.get("/v1/queries/conversations", headers=live.headers("alice"))  # alice is seen
            opened = http.post("/v1/commands/conversations", json={"with": "alice"},
                               headers=live.headers("root", "admin"))
            async with connected(live, "root", "admin") as root:
                answers = [await root.client.call("send", {
                    "conversation_id": opened.json()["id"], "text": f"note {n}",
                    "client_message_id": f"n{n}"}, timeout=5) for n in range(3)]
    finally:
        system.close()
    assert [a["ok"] for a in answers] == [True, True, False]
    assert answers[2]["error"]["status"] == 429
