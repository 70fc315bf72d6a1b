"""Commands on workout sessions: a client starts, logs sets, pauses, resumes and ends them."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal
from uuid import UUID

from application.context import CommandContext, CommandResult
from application.errors import Forbidden
from application.event_log import EventLog
from domain.workout_session import WorkoutSession


@dataclass(frozen=True)
class StartWorkoutSession:
    plan_id: UUID | None = None
    day: str | None = None


@dataclass(frozen=True)
class LogSet:
    session_id: UUID
    exercise: str
    reps: int
    weight_kg: Decimal
    rpe: Decimal | None = None
    expected_version: int | None = None


@dataclass(frozen=True)
class ChangeSessionState:
    session_id: UUID
    action: Literal["pause", "resume", "complete", "abandon"]
    expected_version: int | None = None


class WorkoutSessions:
    """Handles a client's commands on their own workout sessions."""

    def __init__(self, log: EventLog) -> None:
        self.log = log

    def start(self, ctx: CommandContext, cmd: StartWorkoutSession) -> CommandResult:
        return self.log.execute(
            ctx,
            lambda: WorkoutSession.start(ctx.actor.uid, cmd.plan_id, cmd.day, ctx.at),
            created=True,
        )

    def log_set(self, ctx: CommandContext, cmd: LogSet) -> CommandResult:
        def decide() -> WorkoutSession:
            session = self._own(ctx, cmd.session_id, cmd.expected_version)
            session.log_set(cmd.exercise, cmd.reps, cmd.weight_kg, cmd.rpe, ctx.at)
            return session

        return self.log.execute(ctx, decide)

    def change_state(self, ctx: CommandContext, cmd: ChangeSessionState) -> CommandResult:
        def decide() -> WorkoutSession:
            session = self._own(ctx, cmd.session_id, cmd.expected_version)
            getattr(session, cmd.action)(at=ctx.at)
            return session

        return self.log.execute(ctx, decide)

    def _own(self, ctx: CommandContext, session_id: UUID, version: int | None) -> WorkoutSession:
        session = self.log.load(WorkoutSession, session_id, version)
        if session.client_id != ctx.actor.uid:
            raise Forbidden("only the client who started a session may change it")
        return session
