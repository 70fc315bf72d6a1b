"""Command routes for users: one's own profile, roles set by a superadmin, and erasure."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from application.context import CommandContext
from application.users import EraseUser, SetRole, UpdateProfile
from domain.profile import HEIGHT_CM, MAX_ITEM, MAX_ITEMS, MAX_NAME, WEIGHT_KG
from domain.values import MAX_ID, Role
from interfaces.http.answers import APPLIED, COMMAND_ERRORS, CommandOut, command_answer
from interfaces.http.deps import ExpectedVersion, SystemDep, command_context
from interfaces.http.problem_docs import documented

router = APIRouter(tags=["users: commands"])
SignedIn = Annotated[CommandContext, Depends(command_context())]
# role changes and erasure ask Firebase whether the caller's sessions were revoked
Unrevoked = Annotated[CommandContext, Depends(command_context(check_revoked=True))]
Uid = Annotated[str, Path(min_length=1, max_length=MAX_ID, pattern=r"^[A-Za-z0-9_.:@-]+$")]
Item = Annotated[str, Field(min_length=1, max_length=MAX_ITEM)]
Items = Annotated[list[Item] | None, Field(max_length=MAX_ITEMS)]
ACCEPTED: dict[int | str, dict[str, Any]] = {
    202: {"description": "Accepted: the key is deleted; read models drop the personal fields next",
          "headers": APPLIED[200]["headers"]},
    **documented(*COMMAND_ERRORS, 404, say={503: "The event store is unavailable; retry after Retry-After"}),
}


class UpdateProfileRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "display_name": "Asha Rao", "phone": "+919876543210", "goal": "strength", "level": "beginner",
        "equipment": ["dumbbells"], "diet": "vegetarian", "allergies": ["peanuts"], "injuries": [],
        "height_cm": 162, "weight_kg": 58.5, "birth_year": 1994}]})
    display_name: Annotated[str, Field(min_length=1, max_length=MAX_NAME)] | None = None
    phone: Annotated[str, Field(min_length=7, max_length=20, pattern=r"^\+?[0-9 ().-]+$")] | None = None
    goal: Literal["strength", "hypertrophy", "fat_loss", "endurance", "general"] | None = None
    level: Literal["beginner", "intermediate", "advanced"] | None = None
    equipment: Items = None
    diet: Literal["omnivore", "vegetarian", "eggetarian", "vegan"] | None = None
    allergies: Items = None
    injuries: Items = None
    height_cm: float | None = Field(None, ge=HEIGHT_CM[0], le=HEIGHT_CM[1])
    weight_kg: float | None = Field(None, ge=WEIGHT_KG[0], le=WEIGHT_KG[1])
    birth_year: int | None = Field(None, ge=1900, le=2100, strict=True)


class SetRoleRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"role": "trainer"}]})
    role: Literal["client", "trainer", "nutritionist", "admin", "superadmin", "auditor"]


class EmptyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{}]})


@router.post("/v1/commands/me/profile", response_model=CommandOut, responses=APPLIED,
             operation_id="updateMyProfile")
def update_my_profile(body: UpdateProfileRequest, ctx: SignedIn, system: SystemDep,
                      version: ExpectedVersion) -> JSONResponse:
    """Change some fields of the caller's own profile; a field sent as null is cleared."""
    cmd = UpdateProfile(body.model_dump(exclude_unset=True), version)
    return command_answer(system.users.update_profile(ctx, cmd))


@router.post("/v1/commands/users/{uid}/role", response_model=CommandOut, responses=APPLIED,
             operation_id="setUserRole")
def set_user_role(uid: Uid, body: SetRoleRequest, ctx: Unrevoked, system: SystemDep,
                  version: ExpectedVersion) -> JSONResponse:
    """Give a user another role: it takes effect on their next request, and is then mirrored to
    the identity provider's custom claim `role`. A uid never seen is recorded (as a client that
    then gets this role), so staff can be given their role before they first sign in."""
    return command_answer(system.users.set_role(ctx, SetRole(uid, Role(body.role), version)))


@router.post("/v1/commands/users/{uid}/erase", status_code=202, response_model=CommandOut,
             responses=ACCEPTED, operation_id="eraseUser")
def erase_user(uid: Uid, body: EmptyRequest, ctx: Unrevoked, system: SystemDep) -> JSONResponse:
    """Erase a user's personal data for good (crypto-shredding): their key is deleted, so what
    the log holds of them can never be read again; payments and every other event stay.
    """
    answer = command_answer(system.users.erase(ctx, EraseUser(uid)))
    answer.status_code = 202
    return answer
