"""The payments and subscriptions read models fold every money and lifecycle event: flags,
refunds asked for, made and failed, disputes, autopay charges; renewal mode, renewal orders,
grace, mandates; and a workout session's last activity."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.errors import DomainError
from domain.payment import Payment
from domain.subscription import Subscription, TierCatalogue
from domain.workout_session import WorkoutSession
from projections.model import ReadModel, Row
from projections.payments import PaymentsModel
from projections.subscriptions import SubscriptionsModel
from projections.workout_sessions import WorkoutSessionsModel

T0 = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)
PRICE = 49_900
DAY = timedelta(days=1)
TIER = TierCatalogue().get("basic_monthly")


class Folder:
    """A read model's row for one aggregate, folded on with each call from the new events."""

    def __init__(self, model: ReadModel) -> None:
        self.model, self.row, self.position = model, None, 0

    def __call__(self, aggregate: Any) -> Row:
        for event in aggregate.collect_events():
            self.position += 1
            self.row = self.model.fold(self.row, event, self.position)
        assert self.row is not None
        return self.row


def folded(model: ReadModel, aggregate: Any) -> Row:
    return Folder(model)(aggregate)


def captured() -> Payment:
    payment = Payment.initiate("asha", "subscription", "sub-1", PRICE, "upi", "phonepe", T0)
    payment.record_gateway_order("order_1", T0)
    payment.capture("pay_1", PRICE, T0)
    return payment


def test_an_amount_reported_in_rupees_is_flagged_and_captures_nothing() -> None:
    payment = Payment.initiate("asha", "subscription", "sub-1", PRICE, "upi", "phonepe", T0)
    payment.record_gateway_order("order_1", T0)
    payment.record_capture("pay_1", PRICE // 100, "INR", T0)
    payment.record_capture("pay_1", PRICE, "USD", T0)
    row = folded(PaymentsModel(), payment)
    assert (row["status"], row["flags"], row["captured_paise"]) == (
        "created", ["amount_mismatch", "currency_mismatch"], 0)


def test_a_late_failure_and_a_dispute_raise_their_flags_once() -> None:
    payment = captured()
    payment.fail("bank reversed", "pay_1", T0 + DAY)
    payment.fail("bank reversed again", "pay_1", T0 + DAY)
    payment.open_dispute("disp_1", PRICE, T0 + 2 * DAY)
    fold = Folder(PaymentsModel())
    row = fold(payment)
    assert (row["flags"], row["dispute_status"], row["status"]) == (
        ["late_failure", "disputed"], "open", "captured")
    payment.close_dispute("disp_1", "lost", T0 + 3 * DAY)
    assert fold(payment)["dispute_status"] == "lost"


def test_a_refund_asked_for_is_pending_until_the_gateway_processes_it() -> None:
    payment, model = captured(), Folder(PaymentsModel())
    payment.request_refund("rf_1", 10_000, "goodwill", T0 + DAY)
    row = model(payment)
    assert (row["refund_requested_paise"], row["refunded_paise"], row["status"]) == (10_000, 0, "captured")
    assert [(r["refund_id"], r["status"]) for r in row["refunds"]] == [("rf_1", "requested")]
    payment.record_refund("rfnd_9", 10_000, "rf_1", "goodwill", T0 + 2 * DAY)
    row = model(payment)
    assert (row["refund_requested_paise"], row["refunded_paise"], row["status"]) == (
        0, 10_000, "partially_refunded")
    assert row["refunds"] == [{"refund_id": "rf_1", "gateway_refund_id": "rfnd_9", "amount_paise": 10_000,
                               "status": "processed", "at": (T0 + 2 * DAY).isoformat()}]
    assert row["refunded_at"] == T0 + 2 * DAY


def test_a_failed_refund_frees_its_amount_and_a_refund_we_never_asked_for_is_listed() -> None:
    payment = captured()
    payment.request_refund("rf_1", 10_000, "goodwill", T0 + DAY)
    payment.fail_refund("rf_1", None, "bank refused", T0 + DAY)
    payment.record_refund("rfnd_7", PRICE, None, "gateway dashboard", T0 + 2 * DAY)
    row = folded(PaymentsModel(), payment)
    assert [(r["refund_id"], r["gateway_refund_id"], r["status"]) for r in row["refunds"]] == [
        ("rf_1", None, "failed"), (None, "rfnd_7", "processed")]
    assert (row["refund_requested_paise"], row["refunded_paise"], row["status"]) == (0, PRICE, "refunded")


def test_an_autopay_charge_is_a_row_captured_from_its_first_position() -> None:
    charge = Payment.record_charge("asha", "subscription", "sub-1", PRICE, "upi", "order_2", "pay_2", T0)
    row = folded(PaymentsModel(), charge)
    assert (row["status"], row["gateway_order_id"], row["gateway_payment_id"], row["captured_at"]) == (
        "captured", "order_2", "pay_2", T0)


def test_a_renewal_order_is_due_until_the_next_period_is_paid() -> None:
    sub, model = Subscription.request("asha", TIER, T0, "manual"), Folder(SubscriptionsModel())
    sub.activate(T0, T0, payment_id="p1")
    end = T0 + TIER.period
    sub.order_renewal("p2", end, end - 3 * DAY)
    row = model(sub)
    assert (row["renewal"], row["renewal_due"], row["renewal_payment_id"], row["current_payment_id"]) == (
        "manual", True, "p2", "p1")
    sub.renew(end, payment_id="p2")
    row = model(sub)
    assert (row["renewal_due"], row["renewal_payment_id"], row["current_payment_id"]) == (False, None, "p2")
    assert (row["current_period_start"], row["current_period_end"]) == (end, end + TIER.period)


def test_past_due_shows_its_grace_and_a_paid_period_ends_it() -> None:
    sub = Subscription.request("asha", TIER, T0, "manual")
    sub.activate(T0, T0, payment_id="p1")
    end = T0 + TIER.period
    sub.mark_past_due(end)
    fold = Folder(SubscriptionsModel())
    row = fold(sub)
    assert (row["status"], row["grace_until"], row["next_retry_at"]) == ("past_due", end + 7 * DAY, end + DAY)
    sub.renew(end + DAY, payment_id="p2")
    assert fold(sub)["grace_until"] is None


def test_an_autopay_subscription_shows_its_mandate() -> None:
    sub = Subscription.request("asha", TIER, T0, "autopay")
    sub.create_mandate("sub_RZP1", T0)
    sub.authenticate_mandate(T0)
    row = folded(SubscriptionsModel(), sub)
    assert (row["renewal"], row["gateway_subscription_id"], row["version"]) == ("autopay", "sub_RZP1", 3)


def test_a_workout_session_remembers_its_last_activity() -> None:
    session = WorkoutSession.start("asha", None, "Legs", T0)
    session.log_set("squat", 5, Decimal(100), None, T0 + timedelta(minutes=5))
    session.pause(T0 + timedelta(minutes=9))
    assert folded(WorkoutSessionsModel(), session)["last_activity_at"] == T0 + timedelta(minutes=9)


SUB_COMMANDS: list[Callable[[Subscription, datetime], None]] = [
    lambda s, at: s.activate(at, at, payment_id="p1"),
    lambda s, at: s.order_renewal(f"r{s.version}", s.current_period_end or at, at),
    lambda s, at: s.renew(at, payment_id=f"p{s.version}"),
    lambda s, at: s.mark_past_due(at),
    lambda s, at: s.cancel(True, at),
    lambda s, at: s.end_period(s.current_period_end or at),
    lambda s, at: s.expire(s.current_period_end or at),
]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(SUB_COMMANDS), max_size=20))
def test_any_lifecycle_sequence_folds_to_the_subscriptions_state(commands: list[Callable[..., None]]) -> None:
    sub = Subscription.request("asha", TIER, T0, "manual")
    for tick, command in enumerate(commands, start=1):
        with contextlib.suppress(DomainError):
            command(sub, T0 + tick * DAY)
    row = folded(SubscriptionsModel(), sub)
    assert row == row | {
        "status": sub.status.value, "renewal_due": sub.renewal_due, "version": sub.version,
        "renewal_payment_id": sub.renewal_payment_id, "current_payment_id": sub.current_payment_id,
        "grace_until": sub.grace_until, "current_period_end": sub.current_period_end,
        "cancel_at_period_end": sub.cancel_at_period_end,
    }
