"""Commands on workout sessions: a client starts, logs sets, pauses, resumes and ends them."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from application.aggregates import Aggregates
from application.context import CommandContext, CommandResult
from application.errors import Forbidden
from domain.values import Actor
from domain.workout_session import WorkoutSession


@dataclass(frozen=True)
class StartWorkoutSession:
    """Start a session for the calling client, optionally from a plan day."""

    plan_id: UUID | None = None
    day: str | None = None


@dataclass(frozen=True)
class LogSet:
    """Log one set in an active session."""

    session_id: UUID
    exercise: str
    reps: int
    weight_kg: Decimal
    rpe: Decimal | None = None
    expected_version: int | None = None


@dataclass(frozen=True)
class PauseSession:
    """Pause an active session; the paused time is left out of its duration."""

    session_id: UUID
    expected_version: int | None = None


@dataclass(frozen=True)
class ResumeSession:
    """Resume a paused session."""

    session_id: UUID
    expected_version: int | None = None


@dataclass(frozen=True)
class CompleteSession:
    """Complete a session, recording its summary of volume and duration."""

    session_id: UUID
    expected_version: int | None = None


@dataclass(frozen=True)
class AbandonSession:
    """Abandon a session that will not be completed."""

    session_id: UUID
    expected_version: int | None = None


class WorkoutSessions:
    """Handles a client's commands on their own workout sessions."""

    def __init__(self, aggregates: Aggregates) -> None:
        self.aggregates = aggregates

    def start(self, ctx: CommandContext, cmd: StartWorkoutSession) -> CommandResult:
        return self.aggregates.create(
            ctx, lambda: WorkoutSession.start(ctx.actor.uid, cmd.plan_id, cmd.day, ctx.at)
        )

    def log_set(self, ctx: CommandContext, cmd: LogSet) -> CommandResult:
        return self.aggregates.change(
            ctx, WorkoutSession, cmd.session_id, cmd.expected_version,
            lambda s: own(s, ctx.actor).log_set(cmd.exercise, cmd.reps, cmd.weight_kg, cmd.rpe, ctx.at),
        )

    def pause(self, ctx: CommandContext, cmd: PauseSession) -> CommandResult:
        return self.aggregates.change(ctx, WorkoutSession, cmd.session_id, cmd.expected_version,
                                      lambda s: own(s, ctx.actor).pause(ctx.at))

    def resume(self, ctx: CommandContext, cmd: ResumeSession) -> CommandResult:
        return self.aggregates.change(ctx, WorkoutSession, cmd.session_id, cmd.expected_version,
                                      lambda s: own(s, ctx.actor).resume(ctx.at))

    def complete(self, ctx: CommandContext, cmd: CompleteSession) -> CommandResult:
        return self.aggregates.change(ctx, WorkoutSession, cmd.session_id, cmd.expected_version,
                                      lambda s: own(s, ctx.actor).complete(ctx.at))

    def abandon(self, ctx: CommandContext, cmd: AbandonSession) -> CommandResult:
        return self.aggregates.change(ctx, WorkoutSession, cmd.session_id, cmd.expected_version,
                                      lambda s: own(s, ctx.actor).abandon(ctx.at))


def own(session: WorkoutSession, actor: Actor) -> WorkoutSession:
    """The session, if the actor is the client who started it (no one else changes it)."""
    if session.client_id != actor.uid:
        raise Forbidden("only the client who started a session may change it")
    return session
