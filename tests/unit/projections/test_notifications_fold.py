"""The notifications read model: each notifier's kinds, to the right recipient, with ids and order
that a second fold of the same events gives again; inboxes fold what was read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from domain.conversation import Conversation
from domain.inbox import Inbox
from domain.payment import Payment
from domain.plan import Generation, Plan, PlanKind, PlanSource
from domain.subscription import Subscription, TierCatalogue
from domain.values import Actor, Role
from projections import notifications
from projections.inboxes import InboxesModel
from projections.model import Row
from projections.notifications import NotificationsModel
from projections.notifiers import PaymentNotifier

T0 = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)
MODEL = NotificationsModel()
WORKOUT = {"days": [{"name": "Legs", "exercises": [{"name": "back squat", "sets": 5, "reps": 5}]}]}


def fold_all(*aggregates: Any) -> dict[str, Row | None]:
    rows: dict[str, Row | None] = {}
    events = [e for a in aggregates for e in a.collect_events()]
    for position, event in enumerate(events, start=1):
        if isinstance(event, MODEL.event_types):
            key = MODEL.key(event)
            rows[key] = MODEL.fold(rows.get(key), event, position)
    return rows


def notices(rows: dict[str, Row | None]) -> list[Row]:
    return sorted((n for row in rows.values() if row for n in MODEL.children(row)), key=lambda n: n["seq"])


def a_lapsing_subscription() -> Subscription:
    sub = Subscription.request("asha", TierCatalogue().get("basic_monthly"), T0, "manual")
    sub.activate(T0, T0, payment_id="p1")
    end = sub.current_period_end
    assert end is not None
    sub.order_renewal("p2", end, end - timedelta(days=3))
    sub.mark_past_due(end)
    sub.expire(end + timedelta(days=8))
    return sub


def test_a_subscription_tells_its_member_each_step_to_its_end():
    made = notices(fold_all(a_lapsing_subscription()))
    assert [n["kind"] for n in made] == ["subscription_activated", "renewal_due",
                                         "subscription_past_due", "subscription_expired"]
    assert {n["recipient_id"] for n in made} == {"asha"}
    assert made[0]["title"].endswith("membership is active") and made[1]["data"]["payment_id"] == "p2"


def test_each_client_of_a_plan_hears_it_was_assigned_to_them():
    plan = Plan.draft(PlanKind.WORKOUT, "Strength 101", WORKOUT, None, Actor("tom", Role.TRAINER), T0)
    plan.publish(T0)
    plan.assign("asha", T0)
    plan.assign("ravi", T0)
    made = notices(fold_all(plan))
    assert [(n["kind"], n["recipient_id"]) for n in made] == [
        ("plan_assigned", "asha"), ("plan_assigned", "ravi")]
    assert made[0]["data"] == {"plan_id": str(plan.id)}


def test_whoever_asked_for_a_generated_plan_hears_it_is_ready_and_a_client_once():
    own = Plan.request_generation(PlanKind.WORKOUT, "asha", 3, None, Actor("asha", Role.CLIENT), T0)
    own.complete("Legs", WORKOUT, Generation(PlanSource.AI, "gemini", "0" * 64, "1", "STOP"), T0)
    draft = Plan.request_generation(PlanKind.WORKOUT, "ravi", 3, None, Actor("tom", Role.TRAINER), T0)
    draft.complete("Push", WORKOUT, Generation(PlanSource.FALLBACK, "offline", "0" * 64, "1", "NONE"), T0)
    made = notices(fold_all(own, draft))
    assert [(n["kind"], n["recipient_id"], n["title"]) for n in made] == [
        ("plan_generated", "asha", "Your plan is ready: Legs"),  # not also "a new plan is yours"
        ("plan_generated", "tom", "Generated draft ready to review: Push")]
    assert made[1]["data"] == {"plan_id": str(draft.id), "client_id": "ravi", "source": "fallback"}


def test_the_other_participant_hears_of_each_message_until_they_read_or_answer():
    chat = Conversation.start("asha", "tom", ["asha", "tom"], T0)
    for text in ("hi", "are you there?", "squats today?"):
        chat.send("asha", text, text, T0)
    row = fold_all(chat)
    made = notices(row)
    assert [(n["kind"], n["recipient_id"], n["data"]["seq"], n["settled"]) for n in made] == [
        ("message_received", "tom", 1, False), ("message_received", "tom", 2, False),
        ("message_received", "tom", 3, False)]
    assert "squats" not in str(made)  # the text stays in the conversation
    chat.read_up_to("tom", 2, T0)
    chat.send("tom", "yes", "yes", T0)  # answering reads everything before it
    for position, event in enumerate(chat.collect_events(), start=10):
        row[MODEL.key(event)] = MODEL.fold(row[MODEL.key(event)], event, position)
    assert [(n["recipient_id"], n["data"]["seq"], n["settled"]) for n in notices(row)] == [
        ("tom", 1, True), ("tom", 2, True), ("tom", 3, True), ("asha", 4, False)]


def test_a_second_fold_of_the_same_log_gives_the_same_ids_and_order():
    sub = a_lapsing_subscription()
    events = sub.collect_events()
    def fold(log: list[Any]) -> list[tuple[str, int]]:
        rows: dict[str, Row | None] = {}
        for position, event in enumerate(log, start=1):
            rows[MODEL.key(event)] = MODEL.fold(rows.get(MODEL.key(event)), event, position)
        return [(n["id"], n["seq"]) for n in notices(rows)]

    assert fold(events) == fold(events) and len(set(fold(events))) == 4


def test_an_inbox_folds_reads_up_to_and_by_id_and_drops_ids_the_mark_covers():
    inbox = Inbox.open("asha", T0)
    inbox.mark({"n3": 30, "n5": 50}, T0)
    inbox.mark({"n3": 30}, T0)  # again: nothing
    inbox.mark_up_to("n4", 40, T0)
    inbox.mark_up_to("n2", 20, T0)  # older: nothing
    model, row = InboxesModel(), None
    for position, event in enumerate(inbox.collect_events(), start=1):
        row = model.fold(row, event, position)
    assert row is not None and inbox.version == 3
    assert (row["read_up_to"], row["read"]) == (40, [["n5", 50]])
    assert [c["notification_id"] for c in model.children(row)] == ["n5"]


class RefundSettles(PaymentNotifier):
    """A kind that settles its own notices: a refund makes the payment's notices read."""

    event_types = (*PaymentNotifier.event_types, Payment.Refunded)

    def settled(self, notices: list[dict[str, Any]], event: Any) -> set[str]:
        return {n["id"] for n in notices} if isinstance(event, Payment.Refunded) else set()


def test_a_notifier_may_settle_its_sources_notices_as_read(monkeypatch):
    monkeypatch.setattr(notifications, "NOTIFIERS", (RefundSettles(),))
    payment = Payment.initiate("asha", "subscription", "sub-1", 49_900, "upi", "phonepe", T0)
    payment.record_gateway_order("order_1", T0)
    payment.capture("pay_1", 49_900, T0)
    row = None
    for position, event in enumerate(payment.collect_events(), start=1):
        if isinstance(event, RefundSettles.event_types):
            row = MODEL.fold(row, event, position)
    assert row is not None and [n["settled"] for n in MODEL.children(row)] == [False]
    payment.record_refund("rfnd_1", 49_900, None, "goodwill", T0)
    row = MODEL.fold(row, payment.collect_events()[-1], 99)
    assert row is not None and [n["settled"] for n in MODEL.children(row)] == [True]
