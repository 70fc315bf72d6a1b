"""Commands on plans: staff draft, revise, publish, assign and archive workout and meal plans."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from application.aggregates import Aggregates
from application.context import CommandContext, CommandResult
from application.errors import Forbidden
from domain.plan import Plan, PlanKind, PlanSource
from domain.values import Actor


@dataclass(frozen=True)
class CreatePlan:
    """Draft a new plan authored by the caller."""

    kind: PlanKind
    title: str
    content: dict[str, Any]
    price_paise: int | None = None
    source: PlanSource | None = None


@dataclass(frozen=True)
class RevisePlan:
    """Replace a plan's title or content (or both) as its next numbered revision."""

    plan_id: UUID
    title: str | None = None
    content: dict[str, Any] | None = None
    expected_version: int | None = None


@dataclass(frozen=True)
class PublishPlan:
    """Publish a draft so that it can be assigned."""

    plan_id: UUID
    expected_version: int | None = None


@dataclass(frozen=True)
class AssignPlan:
    """Assign a published plan to a client."""

    plan_id: UUID
    client_id: str
    expected_version: int | None = None


@dataclass(frozen=True)
class ArchivePlan:
    """Archive a plan; it never changes again."""

    plan_id: UUID
    expected_version: int | None = None


class Plans:
    """Handles staff commands on plans; only a plan's author or an admin may change it."""

    def __init__(self, aggregates: Aggregates) -> None:
        self.aggregates = aggregates

    def create(self, ctx: CommandContext, cmd: CreatePlan) -> CommandResult:
        return self.aggregates.create(ctx, lambda: Plan.draft(
            cmd.kind, cmd.title, cmd.content, cmd.price_paise, ctx.actor, ctx.at, cmd.source
        ))

    def revise(self, ctx: CommandContext, cmd: RevisePlan) -> CommandResult:
        return self.aggregates.change(
            ctx, Plan, cmd.plan_id, cmd.expected_version,
            lambda plan: authored(plan, ctx.actor).revise(cmd.title, cmd.content, ctx.at),
        )

    def publish(self, ctx: CommandContext, cmd: PublishPlan) -> CommandResult:
        return self.aggregates.change(
            ctx, Plan, cmd.plan_id, cmd.expected_version,
            lambda plan: authored(plan, ctx.actor).publish(ctx.at),
        )

    def assign(self, ctx: CommandContext, cmd: AssignPlan) -> CommandResult:
        return self.aggregates.change(
            ctx, Plan, cmd.plan_id, cmd.expected_version,
            lambda plan: authored(plan, ctx.actor).assign(cmd.client_id, ctx.at),
        )

    def archive(self, ctx: CommandContext, cmd: ArchivePlan) -> CommandResult:
        return self.aggregates.change(
            ctx, Plan, cmd.plan_id, cmd.expected_version,
            lambda plan: authored(plan, ctx.actor).archive(ctx.at),
        )


def authored(plan: Plan, actor: Actor) -> Plan:
    """The plan, if the actor may change it: its author or an admin."""
    if not plan.may_be_changed_by(actor):
        raise Forbidden("only the plan's author or an admin may change it")
    return plan
