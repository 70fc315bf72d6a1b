"""Events stored before the event classes were declared still load, fold and verify today.

`fixtures/stored_events.json` holds one story of each aggregate as the event store held it when
the events were still made by `@event("Name")` (every kind of event each aggregate records).
"""

from __future__ import annotations

import inspect
import json
import uuid
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic, resolve_topic

from domain.hash_chain import chain_record, verify_chain
from domain.payment import Payment
from domain.plan import Plan, PlanKind
from domain.subscription import RenewalMode, Subscription, TierCatalogue
from domain.values import Actor, Role
from domain.workout_session import WorkoutSession
from infrastructure.eventstore.log import EventLog

FIXTURE = Path(__file__).parent / "fixtures" / "stored_events.json"
MAPPER = EventLog(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}).mapper
T0 = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)
WORKOUT = {"days": [{"name": "Legs", "exercises": [{"name": "back squat", "sets": 5, "reps": 5}]}]}


def stored() -> list[StoredEvent]:
    return [
        StoredEvent(UUID(r["originator_id"]), r["originator_version"], r["topic"], r["state"].encode())
        for r in json.loads(FIXTURE.read_text())
    ]


def by_aggregate(events: list[Any]) -> dict[UUID, list[Any]]:
    grouped: dict[UUID, list[Any]] = defaultdict(list)
    for e in events:
        grouped[e.originator_id].append(e)
    return grouped


def the_same_stories_today() -> list[Any]:
    """The stories the fixture was written from, told again with today's aggregates."""
    at = [T0 + timedelta(minutes=n) for n in range(10)]
    plan = Plan.draft(PlanKind.WORKOUT, "Strength", WORKOUT, 29_900, Actor("tom", Role.TRAINER), T0)
    plan.revise("Strength 2", None, at[1]), plan.publish(at[2]), plan.assign("c1", at[3])
    plan.archive(at[4])
    tiers = TierCatalogue()
    sub = Subscription.request("c1", tiers.get("basic_monthly"), T0)
    sub.activate(at[1], at[1]), sub.renew(at[2]), sub.mark_past_due(at[3]), sub.renew(at[4])
    sub.cancel(True, at[5])
    cancelled, expired = (Subscription.request("c1", tiers.get("pro_monthly"), T0) for _ in "ab")
    cancelled.cancel(False, at[1]), expired.expire(at[1])
    pay = Payment.initiate("c1", "subscription", "sub-1", 49_900, "upi", "phonepe", T0)
    pay.record_gateway_order("order_1", at[1]), pay.fail("declined", "pay_0", at[2]), pay.retry(at[3])
    pay.record_gateway_order("order_2", at[4]), pay.authorize("pay_1", at[5])
    pay.capture("pay_1", 49_900, at[6]), pay.fail("late", "pay_9", at[7])
    pay.refund(9_900, "goodwill", at[8])
    done = WorkoutSession.start("c1", uuid.uuid4(), "Legs", T0)
    done.log_set("squat", 5, Decimal("100.5"), Decimal("8.5"), at[1]), done.pause(at[2])
    done.resume(at[3]), done.log_set("squat", 5, Decimal("100"), None, at[4]), done.complete(at[5])
    idle = WorkoutSession.start("c1", None, None, T0)
    idle.abandon(at[1], "idle")
    stories = (plan, sub, cancelled, expired, pay, done, idle)
    return [e for story in stories for e in story.collect_events()]


def test_every_stored_event_loads_as_the_class_its_aggregate_declares() -> None:
    for record in stored():
        event = MAPPER.to_domain_event(record)
        aggregate_name, event_name = record.topic.split(":")[1].split(".")
        aggregate = resolve_topic(record.topic.split(":")[0] + ":" + aggregate_name)
        assert type(event) is getattr(aggregate, event_name) is resolve_topic(record.topic)


def test_stored_events_replay_into_the_aggregates_they_were_written_from() -> None:
    loaded = by_aggregate([MAPPER.to_domain_event(s) for s in stored()])
    kinds = set()
    for events in loaded.values():
        aggregate = None
        for e in events:
            aggregate = e.mutate(aggregate)
        assert aggregate is not None and aggregate.version == len(events)
        kinds.add(type(aggregate))
    assert kinds == {Plan, Subscription, Payment, WorkoutSession}


def test_a_stored_payment_chain_still_verifies_and_is_the_chain_written_today() -> None:
    (old,) = [chain_record(MAPPER.to_domain_event(s)) for s in stored() if "Payment" in s.topic],
    (new,) = [chain_record(e) for e in the_same_stories_today() if isinstance(e, Payment.Event)],
    assert verify_chain(old) and verify_chain(new) and len(old) == len(new) == 9
    assert [r["type"] for r in old] == [r["type"] for r in new]


# Fields added to an event class since the fixture was stored (the class's version went to 2).
ADDED = {
    "domain.payment:Payment.Refunded": {"gateway_refund_id", "refund_id", "class_version"},
    "domain.subscription:Subscription.Requested": {"renewal", "class_version"},
    "domain.subscription:Subscription.Activated": {"payment_id", "class_version"},
    "domain.subscription:Subscription.Renewed": {"payment_id", "class_version"},
    "domain.subscription:Subscription.RenewalFailed": {"grace_until", "class_version"},
}
# Event classes declared since the fixture was stored.
NEW_EVENTS = {
    "domain.payment:Payment." + n for n in
    ("Flagged", "RefundRequested", "RefundFailed", "DisputeOpened", "DisputeClosed")
} | {
    "domain.subscription:Subscription." + n
    for n in ("MandateCreated", "MandateAuthenticated", "RenewalOrdered")
} | {"domain.plan:Plan." + n for n in ("GenerationRequested", "Generated", "GenerationFailed")}


def test_today_the_same_stories_are_stored_under_the_same_topics_with_the_same_fields() -> None:
    old = [(s.topic, set(json.loads(s.state)) | ADDED.get(s.topic, set())) for s in stored()]
    new = [(s.topic, set(json.loads(s.state))) for s in map(MAPPER.to_stored_event, the_same_stories_today())]
    assert new == old


def test_an_event_stored_before_its_fields_were_added_loads_with_their_defaults() -> None:
    loaded = [MAPPER.to_domain_event(s) for s in stored()]
    refunds = [e for e in loaded if isinstance(e, Payment.Refunded)]
    requests = [e for e in loaded if isinstance(e, Subscription.Requested)]
    failures = [e for e in loaded if isinstance(e, Subscription.RenewalFailed)]
    assert refunds and all(e.gateway_refund_id is None and e.refund_id is None for e in refunds)
    assert requests and all(e.renewal is RenewalMode.MANUAL for e in requests)
    assert failures and all(e.grace_until is None for e in failures)


def written_event_classes(aggregate: type) -> set[type]:
    """The event classes written in the aggregate's body (not the library's, not bases of others)."""
    classes = [v for v in vars(aggregate).values() if isinstance(v, type) and issubclass(v, aggregate.Event)]
    # a written Created stays a stored event even when another created event extends it
    leaves = [c for c in classes if not any(o is not c and issubclass(o, c) for o in classes)
              or c is vars(aggregate).get("Created")]
    return {c for c in leaves if _written(c)}


def _written(cls: type) -> bool:
    try:
        inspect.getsourcelines(cls)
    except OSError:
        return False
    return True


@pytest.mark.parametrize("aggregate", [Plan, Subscription, Payment, WorkoutSession])
def test_every_event_class_an_aggregate_declares_keeps_a_stored_topic(aggregate: type) -> None:
    topics = {get_topic(c) for c in written_event_classes(aggregate)}
    was = {s.topic for s in stored() if s.topic.startswith(aggregate.__module__ + ":")}
    assert topics - NEW_EVENTS == was
