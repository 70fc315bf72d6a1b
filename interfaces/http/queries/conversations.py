"""Query routes for chat: the caller's conversations with unread counts, and a conversation's
history, newest first."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict

from domain.values import Actor
from interfaces.http.answers import ID, LISTED, Page
from interfaces.http.deps import SystemDep, current_actor
from interfaces.http.problem_docs import documented
from interfaces.http.problems import Problem
from interfaces.http.queries.reading import Cursor, Limit, MinPosition, answer, check_cursor, snapshot
from projections.conversations import ConversationsModel, get_conversation, list_conversations
from projections.messages import MessagesModel, list_messages

router = APIRouter(prefix="/v1/queries/conversations", tags=["chat: queries"])
Caller = Annotated[Actor, Depends(current_actor)]
AT = "2026-11-30T07:10:00+00:00"
MESSAGE: dict[str, Any] = {"id": "9a1c2a9e-7d3b-5c1a-9e2f-0b6d8a5c3e71", "seq": 7, "sender_id": "client-42",
           "text": "Legs felt heavy today", "sent_at": AT, "client_message_id": "m-1"}


class MessageOut(BaseModel):
    """One chat message; `seq` counts the conversation's messages from 1."""

    model_config = ConfigDict(json_schema_extra={"examples": [MESSAGE]})
    id: UUID
    seq: int
    sender_id: str
    text: str
    sent_at: datetime
    client_message_id: str


class ConversationOut(BaseModel):
    """A conversation as one participant sees it: the last message and their unread count."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": ID, "participants": ["client-42", "trainer-7"], "last_message": MESSAGE, "unread": 2,
        "version": 9}]})
    id: UUID
    participants: list[str]
    last_message: MessageOut | None
    unread: int
    version: int


class ConversationPageOut(Page[ConversationOut]):
    """A page of the caller's conversations, newest first."""


class MessagePageOut(Page[MessageOut]):
    """A page of a conversation's messages, newest first."""


@router.get("", response_model=ConversationPageOut, responses=LISTED, operation_id="listConversations")
async def list_my_conversations(actor: Caller, system: SystemDep, min_position: MinPosition = None,
                                limit: Limit = 20, cursor: Cursor = None) -> JSONResponse:
    """The caller's conversations, newest first, each with its last message and unread count.

    Roles: any role that chats, their own conversations only.
    """
    check_cursor(cursor)
    async with snapshot(system, ConversationsModel.name, min_position) as (conn, position):
        found = await list_conversations(conn, actor, limit=limit, cursor=cursor)
    return answer(found, position)


@router.get("/{conversation_id}/messages", response_model=MessagePageOut,
            responses={**LISTED, **documented(404)}, operation_id="listMessages")
async def list_conversation_messages(
    conversation_id: UUID, actor: Caller, system: SystemDep, min_position: MinPosition = None,
    limit: Limit = 50, cursor: Cursor = None,
) -> JSONResponse:
    """A conversation's messages, newest first, keyset paged (for its participants only).

    Roles: the conversation's participants.
    """
    check_cursor(cursor)
    names = (MessagesModel.name, ConversationsModel.name)
    async with snapshot(system, names[0], min_position, also=names[1:]) as (conn, position):
        if await get_conversation(conn, actor, str(conversation_id)) is None:
            raise Problem(404, "Not Found", f"no conversation {conversation_id} that you take part in")
        found = await list_messages(conn, str(conversation_id), limit=limit, cursor=cursor)
    return answer(found, position)
