"""Chat over HTTP, in both profiles: opening a conversation once per pair, messages idempotent on
client_message_id, read receipts and unread counts, keyset-paged history, who may take part, and
hostile input refused whole."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

from tests.read_models import assert_matches_fresh_rebuild
from tests.support import relate

COMMANDS = "/v1/commands/conversations"
QUERY = "/v1/queries/conversations"
MESSAGE_FIELDS = {"id", "seq", "sender_id", "text", "sent_at", "client_message_id"}


def _open(api, headers, other: str):
    return api.post(COMMANDS, json={"with": other}, headers=headers)


def _send(api, headers, conversation: str, text: str, client_message_id: str | None = None):
    body = {"text": text, "client_message_id": client_message_id or uuid.uuid4().hex}
    return api.post(f"{COMMANDS}/{conversation}/messages", json=body, headers=headers)


def _history(api, headers, conversation: str, position: int, **params):
    return api.get(f"{QUERY}/{conversation}/messages", params={"min_position": position, **params},
                   headers=headers)


def _mine(api, headers, position: int) -> list[dict]:
    answer = api.get(QUERY, params={"min_position": position}, headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()["items"]


def _notified(api, headers, position: int) -> dict:
    answer = api.get("/v1/queries/notifications", params={"min_position": position}, headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_a_client_and_their_trainer_chat_with_receipts_unread_counts_and_paged_history(
        api, auth, system):
    tom, alice = auth("tom", "trainer"), auth("alice")
    relate(api, tom, "alice")
    opened = _open(api, alice, "tom")
    assert opened.status_code == 201, opened.text
    conversation = opened.json()["id"]
    with ThreadPoolExecutor(4) as pool:  # the first and racing ones all name the same conversation
        again = list(pool.map(lambda h: _open(api, h, "tom" if h is alice else "alice"),
                              [alice, tom, alice, tom]))
    assert {(a.status_code, a.json()["id"]) for a in again} == {(200, conversation)}
    first = _send(api, alice, conversation, "Legs <b>felt</b> heavy & sore", "m-1")
    assert first.status_code == 200, first.text
    repeat = _send(api, alice, conversation, "typed again", "m-1")
    assert repeat.json() == first.json() and first.json()["seq"] == 1
    for n in range(2, 5):
        assert _send(api, tom, conversation, f"reply {n}").json()["seq"] == n
    last = _send(api, alice, conversation, "thanks").json()
    [mine] = _mine(api, alice, last["position"])
    assert (mine["id"], mine["participants"], mine["unread"]) == (conversation, ["alice", "tom"], 0)
    assert mine["last_message"]["text"] == "thanks" and mine["version"] == last["version"]
    assert _mine(api, tom, last["position"])[0]["unread"] == 1  # alice's one after tom's last
    told = _notified(api, tom, last["position"])
    assert told["unread_count"] == 1
    assert [(n["kind"], n["data"]["seq"], n["read"]) for n in told["items"]] == [
        ("message_received", 5, False), ("message_received", 1, True)]  # his reply read her first
    assert _notified(api, alice, last["position"])["unread_count"] == 0  # her "thanks" read his
    read = api.post(f"{COMMANDS}/{conversation}/read", json={"up_to": 5}, headers=tom)
    assert read.status_code == 200, read.text
    assert _mine(api, tom, read.json()["position"])[0]["unread"] == 0
    assert _notified(api, tom, read.json()["position"])["unread_count"] == 0
    assert api.post(f"{COMMANDS}/{conversation}/read", json={"up_to": 6}, headers=tom).status_code == 422
    page = _history(api, tom, conversation, last["position"], limit=2).json()
    assert [m["seq"] for m in page["items"]] == [5, 4] and set(page["items"][0]) == MESSAGE_FIELDS
    older = _history(api, tom, conversation, 0, limit=10, cursor=page["next_cursor"]).json()
    assert [m["seq"] for m in older["items"]] == [3, 2, 1] and older["next_cursor"] is None
    assert older["items"][-1]["text"] == "Legs felt heavy & sore"
    assert older["items"][-1]["id"] == first.json()["message_id"]
    assert_matches_fresh_rebuild(system)


def test_only_related_people_chat_and_an_ended_relationship_stops_the_sending(api, auth):
    tom, alice, bob = auth("tom", "trainer"), auth("alice"), auth("bob")
    assert _open(api, alice, "tom").status_code == 404  # not related: nobody she may chat with
    assert _open(api, auth("audit", "auditor"), "alice").status_code == 403
    assert _open(api, alice, "alice").status_code == 422
    relate(api, tom, "alice")
    conversation = _open(api, tom, "alice").json()["id"]
    sent = _send(api, tom, conversation, "hello")
    assert _send(api, bob, conversation, "let me in").status_code == 403
    assert api.post(f"{COMMANDS}/{conversation}/read", json={"up_to": 1}, headers=bob).status_code == 403
    assert _history(api, bob, conversation, sent.json()["position"]).status_code == 404
    assert _mine(api, bob, sent.json()["position"]) == []
    assert _send(api, alice, str(uuid.uuid4()), "nobody there").status_code == 404
    admin = _open(api, auth("root", "admin"), "bob")  # an admin with anyone
    assert admin.status_code == 201 and _send(api, bob, admin.json()["id"], "hi admin").status_code == 200
    [relationship] = api.get("/v1/queries/relationships", headers=alice).json()["items"]
    ended = api.post(f"/v1/commands/relationships/{relationship['id']}/end", json={}, headers=alice)
    assert ended.status_code == 200, ended.text
    assert _send(api, tom, conversation, "still there?").status_code == 403
    assert _send(api, alice, conversation, "bye").status_code == 403
    history = _history(api, alice, conversation, ended.json()["position"])  # the history stays readable
    assert [m["text"] for m in history.json()["items"]] == ["hello"]


def test_hostile_input_is_a_clear_4xx_and_writes_nothing(api, auth):
    tom, alice = auth("tom", "trainer"), auth("alice")
    relate(api, tom, "alice")
    conversation = _open(api, alice, "tom").json()["id"]
    bad_bodies: list[dict | str] = [
        {"text": "nul\x00inside", "client_message_id": "a"},
        '{"text": "lone \\ud800 surrogate", "client_message_id": "b"}',
        {"text": "x" * 4001, "client_message_id": "c"},
        {"text": "", "client_message_id": "d"},
        {"text": "<script>alert(1)</script>", "client_message_id": "e"},
        {"text": "bell\x07", "client_message_id": "f"},
        {"text": "fine", "client_message_id": ""},
        {"text": "fine", "client_message_id": "x" * 129},
        {"text": "fine"},
        {"text": 12, "client_message_id": "g"},
        {"text": "fine", "client_message_id": "h", "extra": True},
    ]
    for body in bad_bodies:
        raw = {"content": body, "headers": {**alice, "Content-Type": "application/json"}} \
            if isinstance(body, str) else {"json": body, "headers": alice}
        answer = api.post(f"{COMMANDS}/{conversation}/messages", **raw)
        assert answer.status_code == 422, (body, answer.text)
        assert answer.headers["content-type"] == "application/problem+json"
    good = _send(api, alice, conversation, "x" * 4000)
    assert good.status_code == 200
    assert _send(api, alice, "not-a-uuid", "hi").status_code == 422
    for up_to in (-1, 2**63, "1", None):
        read = api.post(f"{COMMANDS}/{conversation}/read", json={"up_to": up_to}, headers=alice)
        assert read.status_code == 422, up_to
    assert _open(api, alice, "a b").status_code == 422 and _open(api, alice, "x" * 129).status_code == 422
    for cursor in ("!!", "czp4", "czotMQ", "s:" + "9" * 30, "x" * 201):
        assert _history(api, alice, conversation, 0, cursor=cursor).status_code == 422, cursor
    answer = _history(api, alice, conversation, 0, limit=101)
    assert answer.status_code == 422
    [mine] = _mine(api, alice, good.json()["position"])
    assert mine["last_message"]["seq"] == 1  # only the one good message was written


def test_an_erased_senders_messages_lose_their_text_and_the_others_keep_theirs(api, auth):
    tom, alice = auth("tom", "trainer"), auth("alice")
    relate(api, tom, "alice")
    conversation = _open(api, alice, "tom").json()["id"]
    assert _send(api, tom, conversation, "How is the knee?").status_code == 200
    assert _send(api, alice, conversation, "My left knee still hurts").status_code == 200
    erased = api.post("/v1/commands/users/alice/erase", json={}, headers=alice)
    assert erased.status_code == 202, erased.text
    position = erased.json()["position"]
    history = _history(api, tom, conversation, position).json()["items"]
    assert [(m["sender_id"], m["text"]) for m in history] == [
        ("alice", "<erased>"), ("tom", "How is the knee?")]
    [listed] = _mine(api, tom, position)
    assert listed["last_message"]["text"] == "<erased>"
