"""Who sends the commands in these tests, and what they send."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from application.aggregates import Aggregates
from application.context import CommandContext, fingerprint
from application.payments import InitiatePayment, Payments
from application.plans import CreatePlan, Plans, PublishPlan
from application.subscriptions import Subscriptions
from application.workout_sessions import LogSet, WorkoutSessions
from domain.plan import PlanKind
from domain.subscription import TierCatalogue
from domain.values import Actor, Role
from infrastructure.eventstore.log import EventLog
from infrastructure.razorpay.gateway import RazorpayGateway
from infrastructure.razorpay.resilience import GatewayPolicy

T0 = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)
WORKOUT = {"days": [{"name": "Legs", "exercises": [{"name": "back squat", "sets": 5, "reps": 5}]}]}
A_PLAN = CreatePlan(PlanKind.WORKOUT, "Strength 101", WORKOUT)
PLAN_PRICE = 29_900
NO_GATEWAY = RazorpayGateway("rzp_test_unit", "unit-secret", "http://127.0.0.1:9",
                             policy=GatewayPolicy(timeout_s=0.5, backoff_s=0.001, backoff_max_s=0.002))
"""Nothing listens on port 9: a real client that can never reach a gateway (unit tests have none)."""


def ctx(
    uid: str = "alice", role: Role = Role.CLIENT, key: str | None = None, body: Any = None
) -> CommandContext:
    """A command's context; with a key, its fingerprint is that of the body."""
    return CommandContext(Actor(uid, role), T0, "trace", key, fingerprint("route", body) if key else "")


def a_set(session_id: UUID, exercise: str = "squat", version: int | None = None) -> LogSet:
    return LogSet(session_id, exercise, 5, Decimal("100"), None, version)


@dataclass
class Handlers:
    """Every command handler, over one event store."""

    log: EventLog
    aggregates: Aggregates
    plans: Plans
    sessions: WorkoutSessions
    subscriptions: Subscriptions
    payments: Payments

    @classmethod
    def over(cls, log: EventLog) -> Handlers:
        aggregates = Aggregates(log)
        return cls(log, aggregates, Plans(aggregates), WorkoutSessions(aggregates),
                   Subscriptions(aggregates, TierCatalogue(), NO_GATEWAY), Payments(aggregates, NO_GATEWAY))

    def a_payment(self) -> InitiatePayment:
        """The purchase of a published plan priced PLAN_PRICE."""
        author = ctx("tom", Role.TRAINER)
        plan_id = self.plans.create(author, CreatePlan(PlanKind.WORKOUT, "For sale", WORKOUT, PLAN_PRICE)).id
        self.plans.publish(author, PublishPlan(plan_id))
        return InitiatePayment("plan", str(plan_id), "upi", "gpay")

    def recorded(self) -> int:
        """How many events the store holds."""
        return self.log.recorder.max_notification_id() or 0
