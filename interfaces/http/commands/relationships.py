"""Command routes for staff-client relationships: invitations, their answers, an admin's start,
and the end of one (by either side or an admin)."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from application.context import CommandContext
from application.relationships import (
    AcceptInvitation,
    DeclineInvitation,
    EndRelationship,
    InviteClient,
    StartRelationship,
)
from domain.values import MAX_ID, Role
from interfaces.http.answers import APPLIED, CREATED, CommandOut, command_answer
from interfaces.http.deps import ExpectedVersion, SystemDep, command_context

router = APIRouter(prefix="/v1/commands/relationships", tags=["relationships: commands"])
Command = Annotated[CommandContext, Depends(command_context())]  # who may: the access table
LOCATION = "/v1/queries/relationships"
Uid = Annotated[str, Field(min_length=1, max_length=MAX_ID, pattern=r"^[A-Za-z0-9_.:@-]+$")]


class InviteClientRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"client_id": "client-42"}]})
    client_id: Uid


class StartRelationshipRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"client_id": "client-42", "staff_id": "trainer-7", "staff_role": "trainer"}]})
    client_id: Uid
    staff_id: Uid
    staff_role: Literal["trainer", "nutritionist"] | None = Field(
        None, description="The staff member's role; looked up when left out (422 if unknown)")


class EmptyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{}]})


@router.post("/invitations", status_code=201, response_model=CommandOut, responses=CREATED,
             operation_id="inviteClient")
def invite_client(body: InviteClientRequest, ctx: Command, system: SystemDep) -> JSONResponse:
    """Invite a client to become the caller's client; a pending invitation is answered again.

    Nothing of the client is shared until they accept.
    """
    return command_answer(system.relationships.invite(ctx, InviteClient(body.client_id)), LOCATION)


@router.post("/invitations/{invitation_id}/accept", response_model=CommandOut, responses=APPLIED,
             operation_id="acceptInvitation")
def accept_invitation(invitation_id: UUID, ctx: Command, system: SystemDep,
                      version: ExpectedVersion, body: EmptyRequest | None = None) -> JSONResponse:
    """Accept an invitation: the relationship starts, and the staff member reads your rows."""
    return command_answer(system.relationships.accept(ctx, AcceptInvitation(invitation_id, version)))


@router.post("/invitations/{invitation_id}/decline", response_model=CommandOut, responses=APPLIED,
             operation_id="declineInvitation")
def decline_invitation(invitation_id: UUID, ctx: Command, system: SystemDep,
                       version: ExpectedVersion, body: EmptyRequest | None = None) -> JSONResponse:
    """Decline an invitation; nothing is shared."""
    return command_answer(system.relationships.decline(ctx, DeclineInvitation(invitation_id, version)))


@router.post("", status_code=201, response_model=CommandOut, responses=CREATED,
             operation_id="startRelationship")
def start_relationship(body: StartRelationshipRequest, ctx: Command, system: SystemDep) -> JSONResponse:
    """Start a relationship at once (a pending invitation counts as accepted; an active one is
    answered as it is).
    """
    role = Role(body.staff_role) if body.staff_role else None
    cmd = StartRelationship(body.client_id, body.staff_id, role)
    return command_answer(system.relationships.start(ctx, cmd), LOCATION)


@router.post("/{relationship_id}/end", response_model=CommandOut, responses=APPLIED,
             operation_id="endRelationship")
def end_relationship(relationship_id: UUID, ctx: Command, system: SystemDep,
                     version: ExpectedVersion, body: EmptyRequest | None = None) -> JSONResponse:
    """End an active relationship: the staff member's access ends at once, open sockets too."""
    return command_answer(system.relationships.end(ctx, EndRelationship(relationship_id, version)))
