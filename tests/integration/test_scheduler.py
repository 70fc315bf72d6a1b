"""The scheduler's schedule with a clock the tests move (never a sleep), in both profiles:
renewal ordered 3 days before a manual period ends, past due at its end, reminders with backoff
during the grace, expired after it; cancel at period end; idle sessions abandoned; a tick run
twice changes nothing and a missed tick is caught up with the very same events."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from application.workout_sessions import LogSet, StartWorkoutSession
from domain.payment import Payment
from domain.subscription import Subscription
from domain.workout_session import WorkoutSession
from infrastructure.bootstrap import System, bootstrap, init_storage
from infrastructure.settings import Settings
from tests.lifecycle_steps import Money, ctx
from tests.razorpay_sandbox import running_sandbox
from tests.read_models import Recorder
from tests.support import server_settings, wait_until

T0 = datetime(2026, 11, 1, 10, 0, tzinfo=UTC)
DAY, MINUTE = timedelta(days=1), timedelta(minutes=1)
END = T0 + timedelta(days=30)  # basic_monthly


class Clock:
    """The system's clock, moved by the test."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def to(self, at: datetime) -> None:
        self.at = at


@pytest.fixture(params=["embedded", "server"])
def clocked(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[System, Clock]]:
    """A system on a clock the test moves, its gateway the sandbox on loopback."""
    if request.param == "server":
        settings = server_settings(request.getfixturevalue("pg_schema"))
    else:
        settings = Settings(GYMGENIUS_DATA_DIR=tmp_path / "var")  # type: ignore[call-arg]
    init_storage(settings)
    clock = Clock(T0)
    with running_sandbox() as sandbox:
        system = bootstrap(settings, clock, gateway=sandbox.gateway())
        yield system, clock
        system.close()


def subscription(system: System, sub: Any) -> Subscription:
    found = system.log.latest(sub)
    assert isinstance(found, Subscription)
    return found


def paid_subscription(system: System, client: str = "asha") -> Any:
    money = Money(system)
    sub = money.subscribe(client, at=T0)
    money.pay(client, "subscription", sub, at=T0)
    system.tick()  # catches the read models and policies up first: the capture activates it
    assert subscription(system, sub).current_period_end == END
    return sub


def events(system: System, aggregate: Any) -> list[tuple[str, datetime]]:
    return [(type(e).__name__, e.at) for e in system.log.events.get(aggregate)]


def test_a_manual_renewal_is_ordered_three_days_before_the_period_ends(clocked):
    system, clock = clocked
    sub = paid_subscription(system)
    clock.to(END - 3 * DAY - MINUTE)
    system.tick()
    assert not subscription(system, sub).renewal_due
    pushed = system.projections.projector.pusher = Recorder()
    clock.to(END - 3 * DAY)
    system.tick()
    found = subscription(system, sub)
    assert found.renewal_due and found.renewal_payment_id is not None
    told = [c for c in pushed.sent if c.event == "subscription.updated" and c.id == str(sub)]
    assert told and told[-1].data["renewal_due"] is True and "user:asha" in told[-1].rooms
    assert told[-1].data["renewal_payment_id"] == found.renewal_payment_id
    renewal = system.log.latest(UUID(found.renewal_payment_id))
    assert isinstance(renewal, Payment)
    assert (renewal.client_id, renewal.amount.paise) == ("asha", 49_900)
    assert renewal.purpose.reference_id == str(sub)
    assert renewal.gateway_order_id is not None  # its order is open at the gateway, ready for Checkout
    head = system.projections.source.head()
    system.tick()
    assert system.projections.source.head() == head  # a tick run twice changes nothing


def test_unpaid_at_the_end_it_is_past_due_reminded_with_backoff_then_expired(clocked):
    system, clock = clocked
    sub = paid_subscription(system)
    clock.to(END)
    system.tick()
    found = subscription(system, sub)
    assert (found.status.value, found.grace_until, found.dunning_attempts) == ("past_due", END + 7 * DAY, 1)
    reminders = []
    while found.next_retry_at is not None:
        clock.to(found.next_retry_at - MINUTE)
        system.tick()
        assert subscription(system, sub).dunning_attempts == found.dunning_attempts  # not yet
        clock.to(found.next_retry_at)
        reminders.append(found.next_retry_at)
        system.tick()
        found = subscription(system, sub)
    assert reminders == [END + DAY, END + 2 * DAY, END + 4 * DAY]  # three, the wait doubling
    assert found.dunning_attempts == len(reminders) + 1
    clock.to(END + 7 * DAY - MINUTE)
    system.tick()
    assert subscription(system, sub).status.value == "past_due"
    clock.to(END + 7 * DAY)
    system.tick()
    assert subscription(system, sub).status.value == "expired"


def test_a_missed_week_of_ticks_is_caught_up_with_the_same_events(clocked):
    system, clock = clocked
    on_time, late = paid_subscription(system, "on-time"), paid_subscription(system, "late")
    for at in (END - 3 * DAY, END, END + DAY, END + 2 * DAY, END + 4 * DAY, END + 7 * DAY):
        clock.to(at)
        system.tick()
    assert subscription(system, on_time).status.value == "expired"
    assert events(system, late) == events(system, on_time)  # the late one was caught up too
    clock.to(END + 8 * DAY)
    head = system.projections.source.head()
    system.tick()
    assert system.projections.source.head() == head


def test_a_missed_tick_alone_catches_up_everything_that_fell_due(clocked):
    system, clock = clocked
    sub = paid_subscription(system)
    clock.to(END + 10 * DAY)
    system.tick()  # one tick, ten days late
    names = [name for name, _ in events(system, sub)]
    assert names[-6:] == ["RenewalOrdered", *["RenewalFailed"] * 4, "Expired"]  # past due, 3 reminders
    times = [at for _, at in events(system, sub)][-6:]
    assert times == [END - 3 * DAY, END, END + DAY, END + 2 * DAY, END + 4 * DAY, END + 7 * DAY]


def test_a_cancellation_at_period_end_takes_effect_when_the_period_ends(clocked):
    system, clock = clocked
    sub = paid_subscription(system)
    Money(system).cancel_at_period_end("asha", sub)
    clock.to(END - MINUTE)
    system.tick()
    assert subscription(system, sub).status.value == "active"
    assert not subscription(system, sub).renewal_due  # no renewal is ordered for it
    clock.to(END)
    system.tick()
    assert (subscription(system, sub).status.value, subscription(system, sub).ended_at) == ("cancelled", END)


def test_a_workout_session_idle_for_three_hours_is_abandoned(clocked):
    system, clock = clocked
    sessions = system.workout_sessions
    sid = sessions.start(ctx("asha", at=T0), StartWorkoutSession(None, "Legs")).id
    sessions.log_set(ctx("asha", at=T0 + 10 * MINUTE), LogSet(sid, "squat", 5, Decimal(80)))
    clock.to(T0 + 10 * MINUTE + timedelta(hours=3) - MINUTE)
    system.tick()
    assert system.log.latest(sid).status.value == "active"  # type: ignore[union-attr]
    clock.to(T0 + 10 * MINUTE + timedelta(hours=3))
    system.tick()
    found = system.log.latest(sid)
    assert isinstance(found, WorkoutSession) and found.status.value == "abandoned"
    assert [e.reason for e in system.log.events.get(sid) if type(e).__name__ == "Abandoned"] == ["idle"]


def test_a_worker_process_ticks_on_its_own_and_catches_up_what_fell_due(
        isolated_system, worker_processes, monkeypatch):
    monkeypatch.setenv("GYMGENIUS_TICK_SECONDS", "1")
    monkeypatch.setenv("RAZORPAY_BASE_URL", "http://127.0.0.1:9")  # no gateway: orders wait for Checkout
    system, money = isolated_system, Money(isolated_system)
    long_ago = datetime.now(UTC) - timedelta(days=45)  # its period ended 15 days ago, grace 8 days ago
    sub = money.subscribe("asha", at=long_ago)
    money.pay("asha", "subscription", sub, at=long_ago)
    worker = worker_processes()
    wait_until(lambda: subscription(system, sub).status.value == "expired", 60,
               f"the worker's own tick to expire it; its log:\n{worker.tail()}")
    names = [name for name, _ in events(system, sub)]
    assert names[-6:] == ["RenewalOrdered", *["RenewalFailed"] * 4, "Expired"]  # past due, 3 reminders
