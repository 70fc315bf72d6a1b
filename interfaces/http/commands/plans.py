"""Command routes for workout and meal plans, written by trainers, nutritionists and admins."""

from __future__ import annotations

import contextlib
from typing import Annotated, Any, Literal
from uuid import UUID

import redis
from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from application.context import CommandContext
from application.plan_generation import GeneratePlan
from application.plans import ArchivePlan, AssignPlan, CreatePlan, PublishPlan, RevisePlan
from domain.plan import MAX_NOTES, MAX_PRICE_PAISE, MAX_TITLE, PlanKind
from domain.values import MAX_ID
from interfaces.http.answers import APPLIED, COMMAND_ERRORS, CREATED, CommandOut, command_answer
from interfaces.http.deps import ExpectedVersion, SystemDep, command_context, limited
from interfaces.http.plan_content import WORKOUT_EXAMPLE
from interfaces.http.problem_docs import documented
from interfaces.http.text import CleanLine, CleanText, clean_strings

router = APIRouter(prefix="/v1/commands/plans", tags=["plans: commands"])
AuthorContext = Annotated[CommandContext, Depends(command_context())]
LOCATION = "/v1/queries/plans"
Title = Annotated[CleanLine, Field(min_length=1, max_length=MAX_TITLE)]
GENERATING: dict[int | str, dict[str, Any]] = {
    202: {"description": "Accepted: the plan reads as generating until a worker completes it",
          "headers": CREATED[201]["headers"]},
    **documented(*COMMAND_ERRORS),
}
Content = Annotated[dict[str, Any], AfterValidator(clean_strings),
                    Field(description="Days of exercises, or days of meals")]


class CreatePlanRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "kind": "workout", "title": "Strength, 4 weeks", "content": WORKOUT_EXAMPLE, "price_paise": 49900}]})
    kind: Literal["workout", "meal"]
    title: Title
    content: Content
    price_paise: int | None = Field(None, ge=0, le=MAX_PRICE_PAISE, strict=True)


class RevisePlanRequest(BaseModel):
    model_config = ConfigDict(extra="forbid",
                              json_schema_extra={"examples": [{"title": "Strength, 6 weeks"}]})
    title: Title | None = None
    content: Content | None = None


class AssignPlanRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"client_id": "client-42"}]})
    client_id: str = Field(min_length=1, max_length=MAX_ID, pattern=r"^[A-Za-z0-9_.:@-]+$")


class GeneratePlanRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"kind": "workout", "days_per_week": 4, "notes": "Knee-friendly, 45 minutes a session"},
        {"kind": "meal", "client_id": "client-42"},
    ]})
    kind: Literal["workout", "meal"]
    client_id: str | None = Field(
        None, min_length=1, max_length=MAX_ID, pattern=r"^[A-Za-z0-9_.:@-]+$",
        description="The client the plan is for (a client leaves it out; staff leaving it out get a"
                    " template from a default profile)")
    days_per_week: int | None = Field(None, ge=1, le=7, strict=True,
                                      description="Days of the plan (default: 3 workout, 7 meal)")
    notes: Annotated[CleanText, Field(min_length=1, max_length=MAX_NOTES)] | None = None


class EmptyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{}]})


@router.post("", status_code=201, response_model=CommandOut, responses=CREATED,
             operation_id="createPlan")
def create_plan(body: CreatePlanRequest, ctx: AuthorContext, system: SystemDep) -> JSONResponse:
    """Draft a workout or meal plan, authored by the caller, optionally priced in paise."""
    cmd = CreatePlan(PlanKind(body.kind), body.title, body.content, body.price_paise)
    return command_answer(system.plans.create(ctx, cmd), LOCATION)


@router.post("/generate", status_code=202, response_model=CommandOut, responses=GENERATING,
             operation_id="generatePlan", dependencies=[Depends(limited("generate"))])
def generate_plan(body: GeneratePlanRequest, ctx: AuthorContext, system: SystemDep) -> JSONResponse:
    """Generate a workout or meal plan from the client's profile: the plan reads as `generating`
    at once, then (pushed as `plan.updated`) as written by Gemini (`source: "ai"`) or, when no
    valid answer comes, by the offline generator (`source: "fallback"`). A client's own plan is
    published and assigned to them; a staff request gives a draft to review and publish.

    Roles: client (for themselves), trainer or nutritionist (for an assigned client, else 403, or
    for no client: a template), admin, superadmin (for anyone). At most 10 a minute per caller.
    """
    cmd = GeneratePlan(PlanKind(body.kind), body.client_id, body.days_per_week, body.notes)
    result = system.generation.request(ctx, cmd)
    with contextlib.suppress(redis.RedisError, OSError):  # a lost message: the sweep sends it again
        system.generate.send(str(result.id), ctx.trace_id)
    answer = command_answer(result, LOCATION)
    answer.status_code = 202
    return answer


@router.post("/{plan_id}/revise", response_model=CommandOut, responses=APPLIED, operation_id="revisePlan")
def revise_plan(
    plan_id: UUID, body: RevisePlanRequest, ctx: AuthorContext, system: SystemDep,
    version: ExpectedVersion,
) -> JSONResponse:
    """Give a draft or published plan a new title or content as its next numbered revision."""
    cmd = RevisePlan(plan_id, body.title, body.content, version)
    return command_answer(system.plans.revise(ctx, cmd))


@router.post("/{plan_id}/publish", response_model=CommandOut, responses=APPLIED, operation_id="publishPlan")
def publish_plan(
    plan_id: UUID, ctx: AuthorContext, system: SystemDep, version: ExpectedVersion,
    body: EmptyRequest | None = None,
) -> JSONResponse:
    """Publish a draft plan so that it can be assigned; publishing again changes nothing."""
    return command_answer(system.plans.publish(ctx, PublishPlan(plan_id, version)))


@router.post("/{plan_id}/assign", response_model=CommandOut, responses=APPLIED, operation_id="assignPlan")
def assign_plan(
    plan_id: UUID, body: AssignPlanRequest, ctx: AuthorContext, system: SystemDep,
    version: ExpectedVersion,
) -> JSONResponse:
    """Assign a published plan to a client; assigning the same client again changes nothing.

    The author assigns only
    to their own clients (an active relationship, else 403); an admin to anyone, which relates the
    client to a trainer's or nutritionist's plan's author (origin `admin`).
    """
    cmd = AssignPlan(plan_id, body.client_id, version)
    return command_answer(system.plans.assign(ctx, cmd))


@router.post("/{plan_id}/archive", response_model=CommandOut, responses=APPLIED, operation_id="archivePlan")
def archive_plan(
    plan_id: UUID, ctx: AuthorContext, system: SystemDep, version: ExpectedVersion,
    body: EmptyRequest | None = None,
) -> JSONResponse:
    """Archive a plan; an archived plan never changes again."""
    return command_answer(system.plans.archive(ctx, ArchivePlan(plan_id, version)))
