"""Commands on plans: staff draft, revise, publish, assign and archive workout and meal plans."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from application.aggregates import Aggregates
from application.context import CommandContext, CommandResult, step
from application.errors import Forbidden
from application.relationships import Relationships
from domain.plan import Plan, PlanKind, PlanSource, PlanStatus
from domain.relationship import ADMIN, STAFF_ROLES
from domain.values import Actor, Role


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
    """Handles staff commands on plans; only a plan's author or an admin may change it, and a
    plan is assigned only to its author's clients (an admin may assign it to anyone)."""

    def __init__(self, aggregates: Aggregates, relationships: Relationships | None = None) -> None:
        self.aggregates = aggregates
        self.relationships = relationships or Relationships(aggregates)

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
        """An admin assigning a trainer's or nutritionist's plan to someone not yet their client
        relates them first (an admin's decision, origin `admin`); anyone else may assign only to
        the author's clients."""
        if ctx.actor.is_admin:
            self._relate_by_admin(ctx, cmd)
        return self.aggregates.change(
            ctx, Plan, cmd.plan_id, cmd.expected_version,
            lambda plan: self._for_own_client(authored(plan, ctx.actor), ctx.actor, cmd.client_id)
            .assign(cmd.client_id, ctx.at),
        )

    def _relate_by_admin(self, ctx: CommandContext, cmd: AssignPlan) -> None:
        """Before the plan changes (a stale version is refused first, relating no one)."""
        plan = self.aggregates.load(Plan, cmd.plan_id, cmd.expected_version)
        role = Role(plan.author_role)
        if (role not in STAFF_ROLES or plan.author_id == cmd.client_id
                or plan.status is not PlanStatus.PUBLISHED):
            return
        if not self.relationships.is_active(cmd.client_id, plan.author_id):
            self.relationships.begin(step(ctx, "relationship"), cmd.client_id, plan.author_id, role, ADMIN)

    def _for_own_client(self, plan: Plan, actor: Actor, client_id: str) -> Plan:
        if actor.is_admin or self.relationships.is_active(client_id, plan.author_id):
            return plan
        raise Forbidden("a plan is assigned only to its author's clients: invite the client first")

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
