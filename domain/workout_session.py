"""A client's live workout, from the first set logged to completion or abandonment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import InvalidValue, RuleViolation
from domain.values import require_text

IDLE_LIMIT = timedelta(hours=3)
MAX_NAME = 100  # of a day or an exercise
MIN_REPS, MAX_REPS = 1, 1000
MAX_WEIGHT_KG = Decimal(1000)
MIN_RPE, MAX_RPE = Decimal(1), Decimal(10)


class SessionStatus(Enum):
    """Where a session stands; not a str Enum, which JSON (and so a snapshot) turns into a str."""

    ACTIVE = "active"
    PAUSED = "paused"
    COMPLETED = "completed"
    ABANDONED = "abandoned"


@dataclass(frozen=True)
class LoggedSet:
    exercise: str
    set_number: int
    reps: int
    weight_kg: Decimal
    rpe: Decimal | None
    at: datetime

    @property
    def volume_kg(self) -> Decimal:
        return self.weight_kg * self.reps

    def __deepcopy__(self, memo: dict[int, Any]) -> LoggedSet:
        return self  # immutable: a copy of a session shares its logged sets


@dataclass(frozen=True)
class SessionSummary:
    sets: int
    total_volume_kg: Decimal
    duration_s: int


class WorkoutSession(Aggregate):
    """A client's workout: sets are logged while it is active; it ends completed or abandoned."""

    class Started(Aggregate.Created):
        client_id: str
        plan_id: UUID | None
        day: str | None
        at: datetime

    class SetLogged(Aggregate.Event):
        """Version 2 added the rate of perceived exertion; version 1 events load with none."""

        class_version = 2
        exercise: str
        set_number: int
        reps: int
        weight_kg: Decimal
        rpe: Decimal | None
        at: datetime

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["rpe"] = None

    class Paused(Aggregate.Event):
        at: datetime

    class Resumed(Aggregate.Event):
        at: datetime

    class Completed(Aggregate.Event):
        summary: SessionSummary
        at: datetime

    class Abandoned(Aggregate.Event):
        reason: str
        at: datetime

    @event(Started)
    def __init__(self, client_id: str, plan_id: UUID | None, day: str | None, at: datetime):
        self.client_id = client_id
        self.plan_id = plan_id
        self.day = day
        self.status = SessionStatus.ACTIVE
        self.sets: list[LoggedSet] = []
        self.started_at = at
        self.last_activity_at = at
        self.ended_at: datetime | None = None
        self.paused_at: datetime | None = None
        self.paused_s = 0
        self.summary: SessionSummary | None = None

    @classmethod
    def start(
        cls, client_id: str, plan_id: UUID | None, day: str | None, at: datetime
    ) -> WorkoutSession:
        if day is not None:
            day = require_text("day", day, MAX_NAME)
        return cls(client_id=client_id, plan_id=plan_id, day=day, at=at)

    @property
    def is_over(self) -> bool:
        return self.status in (SessionStatus.COMPLETED, SessionStatus.ABANDONED)

    @property
    def total_volume_kg(self) -> Decimal:
        return sum((s.volume_kg for s in self.sets), Decimal(0))

    def log_set(
        self, exercise: str, reps: int, weight_kg: Decimal, rpe: Decimal | None, at: datetime
    ) -> None:
        self._require(SessionStatus.ACTIVE, "log a set")
        exercise = require_text("exercise", exercise, MAX_NAME)
        _check_set(reps, weight_kg, rpe)
        number = 1 + sum(1 for s in self.sets if s.exercise == exercise)
        self._set_logged(
            exercise=exercise, set_number=number, reps=reps, weight_kg=weight_kg, rpe=rpe, at=at
        )

    @event(SetLogged)
    def _set_logged(
        self,
        exercise: str,
        set_number: int,
        reps: int,
        weight_kg: Decimal,
        rpe: Decimal | None,
        at: datetime,
    ) -> None:
        self.sets.append(LoggedSet(exercise, set_number, reps, weight_kg, rpe, at))
        self.last_activity_at = at

    def pause(self, at: datetime) -> None:
        self._require(SessionStatus.ACTIVE, "pause")
        self._paused(at=at)

    @event(Paused)
    def _paused(self, at: datetime) -> None:
        self.status = SessionStatus.PAUSED
        self.paused_at = at
        self.last_activity_at = at

    def resume(self, at: datetime) -> None:
        self._require(SessionStatus.PAUSED, "resume")
        self._resumed(at=at)

    @event(Resumed)
    def _resumed(self, at: datetime) -> None:
        assert self.paused_at is not None
        self.paused_s += max(0, int((at - self.paused_at).total_seconds()))
        self.status = SessionStatus.ACTIVE
        self.paused_at = None
        self.last_activity_at = at

    def complete(self, at: datetime) -> None:
        if self.is_over:
            raise RuleViolation(f"the session is already {self.status.value}")
        if not self.sets:
            raise RuleViolation("a session with no sets cannot be completed; abandon it instead")
        paused = self.paused_s + self._open_pause_s(at)
        duration = max(0, int((at - self.started_at).total_seconds()) - paused)
        summary = SessionSummary(len(self.sets), self.total_volume_kg, duration)
        self._completed(summary=summary, at=at)

    @event(Completed)
    def _completed(self, summary: SessionSummary, at: datetime) -> None:
        self.status = SessionStatus.COMPLETED
        self.summary = summary
        self.ended_at = at

    def abandon(self, at: datetime, reason: str = "client") -> None:
        if self.is_over:
            raise RuleViolation(f"the session is already {self.status.value}")
        self._abandoned(reason=reason, at=at)

    @event(Abandoned)
    def _abandoned(self, reason: str, at: datetime) -> None:
        self.status = SessionStatus.ABANDONED
        self.ended_at = at

    def is_idle(self, now: datetime) -> bool:
        return not self.is_over and now - self.last_activity_at >= IDLE_LIMIT

    def _open_pause_s(self, at: datetime) -> int:
        return int((at - self.paused_at).total_seconds()) if self.paused_at else 0

    def _require(self, status: SessionStatus, action: str) -> None:
        if self.status is not status:
            raise RuleViolation(f"cannot {action} a session that is {self.status.value}")


def _check_set(reps: int, weight_kg: Decimal, rpe: Decimal | None) -> None:
    if not MIN_REPS <= reps <= MAX_REPS:
        raise InvalidValue("reps", f"must be between {MIN_REPS} and {MAX_REPS}")
    if not 0 <= weight_kg <= MAX_WEIGHT_KG:
        raise InvalidValue("weight_kg", f"must be between 0 and {MAX_WEIGHT_KG}")
    if rpe is not None and not MIN_RPE <= rpe <= MAX_RPE:
        raise InvalidValue("rpe", f"must be between {MIN_RPE} and {MAX_RPE}")
