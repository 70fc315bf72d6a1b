"""Chat commands: open a conversation, send a message, read up to a message.

A client chats with the staff they are actively related to, and an admin with anyone. A
conversation opened under a relationship remembers the pair, and its messages need the
relationship still active: once it ends, neither side can send (both can still read the history).
A message is idempotent on its sender's `client_message_id`: the repeat gets the first answer
(kept in the command ledger, with the events), so the aggregate never holds past messages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from application.aggregates import Aggregates
from application.context import CommandContext, CommandResult
from application.errors import Forbidden, NotFound, VersionConflict
from application.relationships import Relationships
from domain.conversation import Conversation, conversation_id
from domain.errors import InvalidValue
from domain.values import Actor, Role

RoleOf = Callable[[str], Role | None]
RETRIES = 5  # concurrent messages in one conversation: each loser decides again on the new version
CACHED_OK = float("inf")  # a conversation copy of any age: a stale one makes the write conflict
# A relationship this process saw active that long ago is taken as still active: one ended through
# another process stops messages sent here at most that much later (through this one, at once).
RELATIONSHIP_LAG_S = 1.0


@dataclass(frozen=True)
class OpenConversation:
    """Open (or find) the caller's conversation with another user."""

    with_uid: str


@dataclass(frozen=True)
class SendMessage:
    """Send a message in a conversation the caller takes part in."""

    conversation_id: UUID
    text: str
    client_message_id: str


@dataclass(frozen=True)
class ReadConversation:
    """Mark a conversation read up to a message's seq."""

    conversation_id: UUID
    up_to: int


class Conversations:
    """Handles chat commands."""

    def __init__(self, aggregates: Aggregates, relationships: Relationships, role_of: RoleOf) -> None:
        self.aggregates, self.relationships, self.role_of = aggregates, relationships, role_of

    def open(self, ctx: CommandContext, cmd: OpenConversation) -> CommandResult:
        """The pair's conversation: created (201) the first time, found (200) after, races too
        (a conversation the caller is in is found even if they may no longer send in it)."""
        found = self.existing(ctx.actor.uid, cmd.with_uid) if ctx.actor.uid != cmd.with_uid else None
        if found is not None:
            return found
        pair = self.pair_of(ctx.actor, cmd.with_uid)
        try:
            return self.aggregates.execute(
                ctx, lambda: Conversation.start(ctx.actor.uid, cmd.with_uid, pair, ctx.at), created=True)
        except VersionConflict:
            if (found := self.existing(ctx.actor.uid, cmd.with_uid)) is None:
                raise
            return found

    def existing(self, one: str, other: str) -> CommandResult | None:
        found = self.aggregates.store.latest(conversation_id(one, other))
        if not isinstance(found, Conversation):
            return None
        position = self.aggregates.store.position_of(found.id, found.version) or 0
        return CommandResult(found.id, found.version, position)

    def pair_of(self, actor: Actor, other: str) -> list[str] | None:
        """The (client, staff) relationship the conversation depends on; None for an admin's.
        Someone the caller may not chat with is not found (404), as a row out of scope is."""
        if actor.uid == other:
            raise InvalidValue("with", "a conversation needs two people")
        if actor.is_admin:
            if self.role_of(other) is None:
                raise NotFound("user you may chat with", other)
            return None
        if actor.role is Role.CLIENT and self.relationships.is_active(actor.uid, other):
            return [actor.uid, other]
        if actor.role.is_staff and self.relationships.is_active(other, actor.uid):
            return [other, actor.uid]
        raise NotFound("client or staff member you are actively related to", other)

    def send(self, ctx: CommandContext, cmd: SendMessage) -> CommandResult:
        """The message's id and seq are in the answer's extra; a repeat answers the first."""
        key = f"chat:{cmd.conversation_id}:{cmd.client_message_id}"
        ctx = replace(ctx, idempotency_key=key, fingerprint=key)

        tries = iter(range(RETRIES))

        def decide() -> Conversation:
            # The first try decides on this process's copy as is: if another process wrote since,
            # the write conflicts and the next try reads the store.
            trusted = CACHED_OK if next(tries) == 0 else 0.0
            conversation = self.participant(ctx.actor, cmd.conversation_id, checked_within=trusted)
            self.require_related(conversation)
            conversation.send(ctx.actor.uid, cmd.text, cmd.client_message_id, ctx.at)
            return conversation

        return _retried(lambda: self.aggregates.execute(ctx, decide, extra=_sent, optimistic=True),
                        tries=RETRIES)

    def read(self, ctx: CommandContext, cmd: ReadConversation) -> CommandResult:
        def decide() -> Conversation:
            conversation = self.participant(ctx.actor, cmd.conversation_id)
            conversation.read_up_to(ctx.actor.uid, cmd.up_to, ctx.at)
            return conversation

        return _retried(lambda: self.aggregates.execute(ctx, decide), tries=RETRIES)

    def participant(self, actor: Actor, conversation: UUID, *, checked_within: float = 0.0) -> Conversation:
        found = self.aggregates.load(Conversation, conversation, checked_within=checked_within)
        if not found.takes_part(actor.uid):
            raise Forbidden("only the conversation's participants may do this")
        return found

    def require_related(self, conversation: Conversation) -> None:
        if conversation.pair and not self.relationships.is_active(*conversation.pair,
                                                                  checked_within=RELATIONSHIP_LAG_S):
            raise Forbidden("the relationship this conversation belongs to has ended")

    def may_join(self, uid: str, conversation: UUID) -> str | None:
        """Whether uid may be in the conversation's live room: None if not (not a participant, or
        the relationship ended), else the client whose relationship it depends on ("" for none)."""
        found = self.aggregates.store.latest(conversation)
        if not isinstance(found, Conversation) or not found.takes_part(uid):
            return None
        if not found.pair:
            return ""
        return found.pair[0] if self.relationships.is_active(*found.pair) else None


def _sent(conversation: Aggregate) -> dict[str, Any]:
    assert isinstance(conversation, Conversation)
    return {"message_id": str(conversation.last_message_id), "seq": conversation.seq}


def _retried(run: Callable[[], CommandResult], tries: int) -> CommandResult:
    for _ in range(tries - 1):
        try:
            return run()
        except VersionConflict:
            continue
    return run()
