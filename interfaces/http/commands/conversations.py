"""Command routes for chat: open a conversation, send a message, read up to a message.

Socket.IO's `send` takes the same body (`SendMessageRequest`) to the same command.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from application.context import CommandContext
from application.conversations import OpenConversation, ReadConversation, SendMessage
from domain.conversation import MAX_CLIENT_MESSAGE_ID, MAX_MESSAGE
from domain.values import MAX_ID
from interfaces.http.answers import APPLIED, CREATED, ID, CommandOut, command_answer
from interfaces.http.deps import SystemDep, command_context, limited
from interfaces.http.problem_docs import documented
from interfaces.http.text import CleanLine, CleanText

router = APIRouter(prefix="/v1/commands/conversations", tags=["chat: commands"])
Context = Annotated[CommandContext, Depends(command_context())]
LOCATION = "/v1/queries/conversations"
OPENED: dict[int | str, dict[str, Any]] = {
    **CREATED, 200: {"model": CommandOut, "description": "The pair's conversation already exists: its id"},
    **documented(404, say={404: "Nobody by that uid that you may chat with"})}
SENT: dict[int | str, dict[str, Any]] = {**APPLIED, **documented(429)}


class OpenConversationRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True,
                              json_schema_extra={"examples": [{"with": "trainer-7"}]})
    with_uid: str = Field(alias="with", min_length=1, max_length=MAX_ID, pattern=r"^[A-Za-z0-9_.:@-]+$")


class SendMessageRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"text": "Legs felt heavy today, should I drop the weight?", "client_message_id": "m-1732950000-1"}]})
    text: CleanText = Field(min_length=1, max_length=MAX_MESSAGE)
    client_message_id: CleanLine = Field(min_length=1, max_length=MAX_CLIENT_MESSAGE_ID)


class ReadUpToRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"up_to": 12}]})
    up_to: int = Field(strict=True, ge=0, le=2**31 - 1, description="A message's seq")


class MessageSentOut(CommandOut):
    """The conversation's new version and position, and the message's id and seq (a repeat of
    a client_message_id answers the first message's)."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"id": ID, "version": 8, "position": 1842, "message_id": "9a1c2a9e-7d3b-5c1a-9e2f-0b6d8a5c3e71",
         "seq": 7}]})
    message_id: UUID
    seq: int


@router.post("", status_code=201, response_model=CommandOut, responses=OPENED,
             operation_id="openConversation")
def open_conversation(body: OpenConversationRequest, ctx: Context, system: SystemDep) -> JSONResponse:
    """Open the caller's conversation with a client or staff member they are actively related to
    (an admin's with anyone): 201 the first time, 200 with the same id after.

    Roles: client, trainer, nutritionist (their own relationships); admin, superadmin (anyone).
    """
    return command_answer(system.conversations.open(ctx, OpenConversation(body.with_uid)), LOCATION)


@router.post("/{conversation_id}/messages", response_model=MessageSentOut, responses=SENT,
             operation_id="sendMessage", dependencies=[Depends(limited("chat"))])
def send_message(conversation_id: UUID, body: SendMessageRequest, ctx: Context,
                 system: SystemDep) -> JSONResponse:
    """Send a message (1 to 4,000 characters, markup removed); idempotent on client_message_id.
    20 messages a minute per user; once the relationship ends, neither side can send.

    Roles: the conversation's participants.
    """
    cmd = SendMessage(conversation_id, body.text, body.client_message_id)
    return command_answer(system.conversations.send(ctx, cmd))


@router.post("/{conversation_id}/read", response_model=CommandOut, responses=APPLIED,
             operation_id="readConversation")
def read_conversation(conversation_id: UUID, body: ReadUpToRequest, ctx: Context,
                      system: SystemDep) -> JSONResponse:
    """Mark the conversation read up to a message's seq (a read receipt); reading back changes nothing.

    Roles: the conversation's participants.
    """
    return command_answer(system.conversations.read(ctx, ReadConversation(conversation_id, body.up_to)))
