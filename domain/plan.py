"""A workout or meal plan, from draft through numbered revisions to publication and archive."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from eventsourcing.domain import Aggregate, event

from domain.errors import InvalidValue, RuleViolation
from domain.plan_content import (
    Exercise,
    Meal,
    MealDay,
    PlanContent,
    WorkoutDay,
    meal_content,
    workout_content,
)
from domain.values import MAX_ID, MAX_TEXT, Actor, Role, require_text

MAX_PRICE_PAISE = 10_000_000
MAX_TITLE = MAX_TEXT
MAX_NOTES = 1000


class PlanKind(Enum):
    """Plain enums (not str ones), so stored events and snapshots give the enum back."""

    WORKOUT = "workout"
    MEAL = "meal"


class PlanStatus(Enum):
    GENERATING = "generating"
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"
    FAILED = "failed"


class PlanSource(Enum):
    """Who wrote the content as stored in events (staff plans keep their author's role)."""

    TRAINER = "trainer"
    NUTRITIONIST = "nutritionist"
    AI = "ai"
    FALLBACK = "fallback"

    @property
    def origin(self) -> PlanOrigin:
        return PlanOrigin(self.value) if self.value in ("ai", "fallback") else PlanOrigin.MANUAL


class PlanOrigin(Enum):
    """A plan's source as the API shows it: written by staff, by Gemini, or by the offline generator."""

    MANUAL = "manual"
    AI = "ai"
    FALLBACK = "fallback"


@dataclass(frozen=True)
class Generation:
    """How a generated plan's content came to be: the model's answer or the offline generator's."""

    source: PlanSource
    model: str
    prompt_hash: str
    schema_version: str
    finish_reason: str
    prompt_tokens: int = 0
    candidate_tokens: int = 0
    fallback_reason: str | None = None


class Plan(Aggregate):
    """A plan its author drafts, revises, publishes and assigns to clients until it is archived."""

    class Created(Aggregate.Created):
        kind: PlanKind
        title: str
        content: PlanContent
        price_paise: int | None
        author_id: str
        author_role: str
        source: PlanSource
        at: datetime

    class GenerationRequested(Created):
        """Created in status `generating`, for a client (or, by staff, for none: a template);
        its content comes with `Generated`."""

        client_id: str | None
        days_per_week: int
        notes: str | None

        def apply(self, aggregate: Plan) -> None:
            aggregate.status = PlanStatus.GENERATING
            aggregate.request = GenerationRequest(self.client_id, self.days_per_week, self.notes)

    class Generated(Aggregate.Event):
        author_id: str  # who asked, and the client it is for (None: a staff template)
        client_id: str | None
        title: str
        content: PlanContent
        source: PlanSource
        model: str
        prompt_hash: str
        schema_version: str
        finish_reason: str
        prompt_tokens: int
        candidate_tokens: int
        fallback_reason: str | None
        at: datetime

    class GenerationFailed(Aggregate.Event):
        reason: str
        at: datetime

    class Revised(Aggregate.Event):
        revision: int
        title: str
        content: PlanContent
        at: datetime

    class Published(Aggregate.Event):
        revision: int
        at: datetime

    class Assigned(Aggregate.Event):
        client_id: str
        at: datetime

    class Archived(Aggregate.Event):
        at: datetime

    @event(Created)
    def __init__(
        self, kind: PlanKind, title: str, content: PlanContent, price_paise: int | None,
        author_id: str, author_role: str, source: PlanSource, at: datetime,
    ):
        self.kind = kind
        self.title = title
        self.content = content
        self.price_paise = price_paise
        self.author_id = author_id
        self.author_role = author_role  # Role's value: a str Enum would come back as a str anyway
        self.source = source
        self.status = PlanStatus.DRAFT
        self.revision = 1
        self.client_ids: list[str] = []
        self.request: GenerationRequest | None = None
        self.generation: Generation | None = None
        self.created_at = at
        self.updated_at = at

    @classmethod
    def draft(
        cls, kind: PlanKind, title: str, content: Any, price_paise: int | None, author: Actor,
        at: datetime, source: PlanSource | None = None,
    ) -> Plan:
        kind = _kind(kind)
        return cls(
            kind=kind, title=require_text("title", title, MAX_TITLE), content=_content(kind, content),
            price_paise=_price(price_paise), author_id=author.uid, author_role=author.role.value,
            source=source or _source(kind, author.role), at=at,
        )

    @classmethod
    def request_generation(
        cls, kind: PlanKind, client_id: str | None, days_per_week: int, notes: str | None, author: Actor,
        at: datetime,
    ) -> Plan:
        """A plan in status `generating` for a client, authored by the caller (the client
        themselves, or their staff); a worker gives it its content."""
        kind = _kind(kind)
        whole = isinstance(days_per_week, int) and not isinstance(days_per_week, bool)
        if not whole or not 1 <= days_per_week <= 7:
            raise InvalidValue("days_per_week", "must be a whole number from 1 to 7")
        notes = None if notes is None else require_text("notes", notes, MAX_NOTES)
        return cls._create(
            cls.GenerationRequested, kind=kind, title=f"{kind.value.title()} plan", content=PlanContent(()),
            price_paise=None, author_id=author.uid, author_role=author.role.value, source=PlanSource.AI,
            at=at, client_id=None if client_id is None else require_text("client_id", client_id, MAX_ID),
            days_per_week=days_per_week,
            notes=notes,
        )

    @property
    def for_self(self) -> bool:
        """A client's own request: its plan ends published and assigned to them."""
        return (self.request is not None and self.author_role == Role.CLIENT.value
                and self.request.client_id == self.author_id)

    def complete(self, title: str, content: Any, generation: Generation, at: datetime) -> None:
        """The generated content, once (a repeat changes nothing); a client's own plan is then
        published and assigned to them, a staff request stays a draft for its author to review."""
        if self.status is not PlanStatus.GENERATING:
            return
        checked = _content(self.kind, content if isinstance(content, dict) else content.as_json())
        client_id = self.request.client_id if self.request else None
        self._generated(author_id=self.author_id, client_id=client_id,
                        title=require_text("title", title, MAX_TITLE), content=checked, at=at,
                        **vars(generation))
        if self.for_self:
            self._published(revision=self.revision, at=at)
            self._assigned(client_id=self.author_id, at=at)

    @event(Generated)
    def _generated(
        self, author_id: str, client_id: str | None, title: str, content: PlanContent,
        source: PlanSource, model: str, prompt_hash: str, schema_version: str, finish_reason: str,
        prompt_tokens: int, candidate_tokens: int,
        fallback_reason: str | None, at: datetime,
    ) -> None:
        self.title, self.content, self.source = title, content, source
        self.status = PlanStatus.DRAFT
        self.generation = Generation(source, model, prompt_hash, schema_version, finish_reason,
                                     prompt_tokens, candidate_tokens, fallback_reason)
        self.updated_at = at

    def fail(self, reason: str, at: datetime) -> None:
        if self.status is PlanStatus.GENERATING:
            self._generation_failed(reason=reason[:MAX_TEXT], at=at)

    @event(GenerationFailed)
    def _generation_failed(self, reason: str, at: datetime) -> None:
        self.status = PlanStatus.FAILED
        self.updated_at = at

    def may_be_changed_by(self, actor: Actor) -> bool:
        return actor.is_admin or actor.uid == self.author_id

    def revise(self, title: str | None, content: Any | None, at: datetime) -> None:
        self._require_not_archived("revise")
        if title is None and content is None:
            raise InvalidValue("title", "a revision needs a new title or new content")
        new_title = self.title if title is None else require_text("title", title, MAX_TITLE)
        new_content = self.content if content is None else _content(self.kind, content)
        self._revised(revision=self.revision + 1, title=new_title, content=new_content, at=at)

    @event(Revised)
    def _revised(self, revision: int, title: str, content: PlanContent, at: datetime) -> None:
        self.revision = revision
        self.title = title
        self.content = content
        self.updated_at = at

    def publish(self, at: datetime) -> None:
        """Publishing a published plan changes nothing (a safe retry)."""
        self._require_not_archived("publish")
        if self.status is PlanStatus.DRAFT:
            self._published(revision=self.revision, at=at)

    @event(Published)
    def _published(self, revision: int, at: datetime) -> None:
        self.status = PlanStatus.PUBLISHED
        self.updated_at = at

    def assign(self, client_id: str, at: datetime) -> None:
        """Assigning a client who already has the plan changes nothing."""
        if self.status is not PlanStatus.PUBLISHED:
            raise RuleViolation(f"only a published plan can be assigned; this one is {self.status.value}")
        client_id = require_text("client_id", client_id, MAX_ID)
        if client_id not in self.client_ids:
            self._assigned(client_id=client_id, at=at)

    @event(Assigned)
    def _assigned(self, client_id: str, at: datetime) -> None:
        self.client_ids.append(client_id)
        self.updated_at = at

    def archive(self, at: datetime) -> None:
        self._require_not_archived("archive")
        self._archived(at=at)

    @event(Archived)
    def _archived(self, at: datetime) -> None:
        self.status = PlanStatus.ARCHIVED
        self.updated_at = at

    def _require_not_archived(self, action: str) -> None:
        if self.status is PlanStatus.ARCHIVED:
            raise RuleViolation(f"cannot {action} an archived plan")
        if self.status in (PlanStatus.GENERATING, PlanStatus.FAILED):
            raise RuleViolation(f"cannot {action} a plan that is {self.status.value}")


@dataclass(frozen=True)
class GenerationRequest:
    client_id: str | None
    days_per_week: int
    notes: str | None


def _kind(kind: Any) -> PlanKind:
    try:
        return PlanKind(kind)
    except ValueError:
        raise InvalidValue("kind", "must be workout or meal") from None


def _content(kind: PlanKind, raw: Any) -> PlanContent:
    return workout_content(raw) if kind is PlanKind.WORKOUT else meal_content(raw)


def _price(price_paise: int | None) -> int | None:
    if price_paise is None:
        return None
    if isinstance(price_paise, bool) or not isinstance(price_paise, int):
        raise InvalidValue("price_paise", "must be a whole number of paise")
    if not 0 <= price_paise <= MAX_PRICE_PAISE:
        raise InvalidValue("price_paise", f"must be from 0 to {MAX_PRICE_PAISE} paise")
    return price_paise


def _source(kind: PlanKind, role: Role) -> PlanSource:
    if role is Role.TRAINER:
        return PlanSource.TRAINER
    if role is Role.NUTRITIONIST:
        return PlanSource.NUTRITIONIST
    return PlanSource.TRAINER if kind is PlanKind.WORKOUT else PlanSource.NUTRITIONIST


VALUE_TYPES: list[type] = [
    PlanKind, PlanStatus, PlanSource, PlanContent, WorkoutDay, MealDay, Exercise, Meal,
    Generation, GenerationRequest,
]
