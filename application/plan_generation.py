"""Generated plans: a request writes a plan in status `generating` at once; a worker then asks a
language model for its content (checked against our rules, with one repair), or the offline
generator when the model cannot give a valid answer, and completes the plan with it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Protocol
from uuid import UUID

from application.aggregates import Aggregates
from application.context import CommandContext, CommandResult
from application.errors import Forbidden, NotFound
from application.plan_prompt import SCHEMA_VERSION, plan_prompt, prompt_hash, repair_prompt
from application.relationships import Relationships
from domain.plan import MAX_TITLE, Generation, Plan, PlanKind, PlanSource, PlanStatus
from domain.plan_fallback import fallback_plan
from domain.plan_rules import ClientProfile, check_generated, printable
from domain.user import User
from domain.values import Actor, Role

DEFAULT_DAYS = {PlanKind.WORKOUT: 3, PlanKind.MEAL: 7}
OFFLINE = "offline-rules-1"


@dataclass(frozen=True)
class GeneratePlan:
    """Generate a workout or meal plan for a client (the caller, or one of the caller's clients)."""

    kind: PlanKind
    client_id: str | None = None
    days_per_week: int | None = None
    notes: str | None = None


@dataclass(frozen=True)
class ModelAnswer:
    text: str
    finish_reason: str
    prompt_tokens: int = 0
    candidate_tokens: int = 0


class ModelUnavailable(Exception):
    """No answer: refused (429), failed (5xx), timed out, or the breaker is open."""


class PlanModel(Protocol):
    """A language model answering with JSON of a plan's shape: `{"title", "days": [...]}`."""

    name: str

    def answer(self, kind: PlanKind, prompt: str, repair: tuple[str, str] | None) -> ModelAnswer:
        """Raises ModelUnavailable when there is no answer to read."""


@dataclass(frozen=True)
class Written:
    title: str
    content: dict[str, Any]
    generation: Generation


class PlanGeneration:
    """Requests and completes generated plans; `model` None: always the offline generator."""

    def __init__(self, aggregates: Aggregates, relationships: Relationships,
                 model: PlanModel | None) -> None:
        self.aggregates, self.relationships, self.model = aggregates, relationships, model

    def request(self, ctx: CommandContext, cmd: GeneratePlan) -> CommandResult:
        client_id = self._client(ctx.actor, cmd.client_id)
        days = cmd.days_per_week or DEFAULT_DAYS[PlanKind(cmd.kind)]
        return self.aggregates.create(ctx, lambda: Plan.request_generation(
            cmd.kind, client_id, days, cmd.notes, ctx.actor, ctx.at))

    def _client(self, actor: Actor, client_id: str | None) -> str | None:
        """A client generates for themselves; staff for an assigned client (admins for anyone),
        or for no client: a template from a default profile."""
        if actor.role is Role.CLIENT:
            if client_id not in (None, actor.uid):
                raise Forbidden("a client generates plans for themselves only")
            return actor.uid
        if client_id is None or actor.is_admin or self.relationships.is_active(client_id, actor.uid):
            return client_id
        raise Forbidden("plans are generated only for your own clients: invite the client first")

    def generate(self, ctx: CommandContext, plan_id: UUID) -> CommandResult | None:
        """Completes a generating plan; None when it is not (or no longer) generating, so a
        redelivered message generates nothing twice."""
        plan = self.aggregates.load(Plan, plan_id)
        if plan.status is not PlanStatus.GENERATING or plan.request is None:
            return None
        written = self.write(plan.kind, self.profile_of(plan.request.client_id),
                             plan.request.days_per_week, plan.request.notes)
        return self.aggregates.change(ctx, Plan, plan_id, plan.version, lambda p: p.complete(
            written.title, written.content, written.generation, ctx.at))

    def give_up(self, ctx: CommandContext, plan_id: UUID, reason: str) -> CommandResult:
        return self.aggregates.change(ctx, Plan, plan_id, None, lambda p: p.fail(reason, ctx.at))

    def profile_of(self, client_id: str | None) -> ClientProfile:
        if client_id is None:
            return ClientProfile()
        try:
            return ClientProfile.of(self.aggregates.load(User, User.create_id(client_id)).profile)
        except NotFound:
            return ClientProfile()

    def write(self, kind: PlanKind, profile: ClientProfile, days: int, notes: str | None) -> Written:
        prompt = plan_prompt(kind, profile, days, notes)
        if self.model is None:
            return _fallback(kind, profile, days, Generation(
                PlanSource.FALLBACK, OFFLINE, prompt_hash(prompt), SCHEMA_VERSION, "NONE",
                fallback_reason="no model configured"))
        return _Attempts(self.model, kind, profile, days, prompt).run()


class _Attempts:
    """One answer and at most one repair; anything short of a valid answer: the offline plan."""

    def __init__(self, model: PlanModel, kind: PlanKind, profile: ClientProfile, days: int,
                 prompt: str) -> None:
        self.model, self.kind, self.profile, self.days, self.prompt = model, kind, profile, days, prompt
        self.tokens = [0, 0]
        self.finish = "NONE"

    def run(self) -> Written:
        repair: tuple[str, str] | None = None
        for _ in range(2):
            try:
                answer = self.model.answer(self.kind, self.prompt, repair)
            except ModelUnavailable as error:
                return self._fallback(f"unavailable: {error}")
            self._count(answer)
            if answer.finish_reason != "STOP":
                return self._fallback(f"finish reason {answer.finish_reason}")
            title, content, errors = self._checked(answer.text)
            if not errors:
                return Written(title, content, self._generation(PlanSource.AI, None))
            repair = (answer.text, repair_prompt(errors))
        return self._fallback("invalid answer after one repair")

    def _count(self, answer: ModelAnswer) -> None:
        self.tokens = [self.tokens[0] + answer.prompt_tokens, self.tokens[1] + answer.candidate_tokens]
        self.finish = answer.finish_reason

    def _checked(self, text: str) -> tuple[str, dict[str, Any], list[str]]:
        try:
            data = json.loads(text)
        except ValueError as error:
            return "", {}, [f"the answer is not JSON: {error}"]
        title = data.get("title") if isinstance(data, dict) else None
        if not isinstance(title, str) or not title.strip() or not printable(title):
            return "", {}, ['give an object with a non-empty, printable "title" and "days"']
        content = {"days": data.get("days")}
        checked = check_generated(self.kind, content, self.profile, self.days)
        return title.strip()[:MAX_TITLE], content, checked.errors

    def _generation(self, source: PlanSource, reason: str | None) -> Generation:
        return Generation(source, self.model.name, prompt_hash(self.prompt), SCHEMA_VERSION, self.finish,
                          self.tokens[0], self.tokens[1], reason)

    def _fallback(self, reason: str) -> Written:
        return _fallback(self.kind, self.profile, self.days, self._generation(PlanSource.FALLBACK, reason))


def _fallback(kind: PlanKind, profile: ClientProfile, days: int, generation: Generation) -> Written:
    title, content = fallback_plan(kind, profile, days)
    return Written(title, content, generation)
