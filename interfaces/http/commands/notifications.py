"""Command route for notifications: the caller marks theirs read, up to one or some by id."""

from __future__ import annotations

from typing import Annotated, Self
from uuid import UUID

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, model_validator

from application.context import CommandContext
from application.inboxes import MarkRead, MarkReadUpTo
from domain.inbox import MAX_READ_AT_ONCE
from interfaces.http.answers import APPLIED, ID, CommandOut, command_answer
from interfaces.http.deps import SystemDep, command_context

router = APIRouter(prefix="/v1/commands/notifications", tags=["notifications: commands"])
ReaderContext = Annotated[CommandContext, Depends(command_context())]


class MarkNotificationsReadRequest(BaseModel):
    """Exactly one of `up_to` (that notification and every older one) or `ids` (just those)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"ids": [ID]}, {"up_to": ID}]})
    up_to: UUID | None = Field(None, description="The newest notification read: it and all older are read")
    ids: list[UUID] | None = Field(None, min_length=1, max_length=MAX_READ_AT_ONCE,
                                   description="Notifications read; ids not the caller's are left out")

    @model_validator(mode="after")
    def one_of(self) -> Self:
        if (self.up_to is None) == (self.ids is None):
            raise ValueError("give exactly one of up_to or ids")
        return self


@router.post("/read", response_model=CommandOut, responses=APPLIED, operation_id="markNotificationsRead")
def mark_notifications_read(body: MarkNotificationsReadRequest, ctx: ReaderContext,
                            system: SystemDep) -> JSONResponse:
    """Mark the caller's notifications read: `up_to` one (404 if it is not theirs) or `ids`
    (those that are not theirs are left out). The answer is the caller's inbox.

    Roles: any signed-in role; their own notifications only.
    """
    if body.up_to is not None:
        return command_answer(system.inboxes.read_up_to(ctx, MarkReadUpTo(str(body.up_to))))
    return command_answer(system.inboxes.read(ctx, MarkRead(tuple(str(i) for i in body.ids or ()))))
