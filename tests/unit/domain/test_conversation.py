"""The Conversation aggregate: one per pair, participants only, seqs in order, reads forward only,
and a state that does not grow with its messages."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime

import pytest

from domain.conversation import Conversation, NotParticipant, conversation_id, message_id
from domain.errors import InvalidValue

NOW = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)


def test_a_pair_has_one_conversation_whoever_opens_it() -> None:
    one = Conversation.start("alice", "tom", ["alice", "tom"], NOW)
    other = Conversation.start("tom", "alice", ["alice", "tom"], NOW)
    assert one.id == other.id == conversation_id("tom", "alice")
    assert one.participants == ["alice", "tom"]
    with pytest.raises(InvalidValue):
        Conversation.start("alice", "alice", None, NOW)


def test_messages_take_the_next_seq_and_sending_reads_what_came_before() -> None:
    chat = Conversation.start("alice", "tom", None, NOW)
    assert [chat.send("alice", "hi", "a", NOW), chat.send("tom", "hello", "b", NOW)] == [1, 2]
    assert chat.read == {"alice": 1, "tom": 2}
    assert chat.last_message_id == message_id(chat.id, "tom", "b")
    chat.read_up_to("alice", 2, NOW)
    chat.read_up_to("alice", 1, NOW)  # reading back changes nothing
    assert chat.read["alice"] == 2 and chat.version == 4
    with pytest.raises(InvalidValue):
        chat.read_up_to("alice", 3, NOW)


def test_only_participants_send_or_read_and_text_is_bounded() -> None:
    chat = Conversation.start("alice", "tom", None, NOW)
    with pytest.raises(NotParticipant):
        chat.send("bob", "let me in", "x", NOW)
    with pytest.raises(NotParticipant):
        chat.read_up_to("bob", 0, NOW)
    for text in ("", "   ", "x" * 4001):
        with pytest.raises(InvalidValue):
            chat.send("alice", text, "y", NOW)
    with pytest.raises(InvalidValue):
        chat.send("alice", "ok", "", NOW)
    assert chat.seq == 0 and not chat.pending_events[1:]


def _size(chat: Conversation) -> int:
    chat.collect_events()  # as committed: nothing pending
    return len(pickle.dumps(chat.__dict__))


def test_the_state_does_not_grow_with_the_messages() -> None:
    chat = Conversation.start("alice", "tom", ["alice", "tom"], NOW)
    chat.send("alice", "x" * 4000, "first", NOW)
    small = _size(chat)
    for n in range(2000):
        chat.send("tom" if n % 2 else "alice", "x" * 4000, f"m{n}", NOW)
    assert _size(chat) <= small + 16
