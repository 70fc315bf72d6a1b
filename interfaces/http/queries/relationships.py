"""Query routes for staff-client relationships: each side reads theirs, admins and auditors all."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict

from domain.values import Actor
from interfaces.http.answers import ID, LISTED, Page
from interfaces.http.deps import SystemDep, current_actor
from interfaces.http.queries.reading import Cursor, Limit, MinPosition, check_cursor, read
from projections.relationships import RelationshipsModel, list_relationships

router = APIRouter(prefix="/v1/queries/relationships", tags=["relationships: queries"])
Caller = Annotated[Actor, Depends(current_actor)]
Status = Literal["invited", "active", "declined", "ended"]


class RelationshipOut(BaseModel):
    """A staff member and a client: invited, active, declined or ended, and since when."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": ID, "client_id": "client-42", "staff_id": "trainer-7", "staff_role": "trainer",
        "status": "active", "origin": "invitation", "ended_by": None,
        "since": "2026-11-02T08:30:00+00:00", "version": 2}]})
    id: UUID
    client_id: str
    staff_id: str
    staff_role: Literal["trainer", "nutritionist"]
    status: Status
    origin: Literal["invitation", "purchase", "admin", "carried_over"] | None
    ended_by: str | None
    since: datetime
    version: int


class RelationshipPageOut(Page[RelationshipOut]):
    """A page of relationships, newest first."""


@router.get("", response_model=RelationshipPageOut, responses=LISTED, operation_id="listRelationships")
async def list_relationships_route(
    actor: Caller, system: SystemDep, min_position: MinPosition = None, status: Status | None = None,
    limit: Limit = 20, cursor: Cursor = None,
) -> JSONResponse:
    """The caller's relationships (as client or as staff), newest first, by status.

    Admins, superadmins and auditors list every relationship.
    """
    check_cursor(cursor)
    return await read(system, RelationshipsModel.name, min_position, lambda conn: list_relationships(
        conn, actor, status=status, limit=limit, cursor=cursor))
