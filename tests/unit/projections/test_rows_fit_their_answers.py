"""Every money row as the query API shows it fits its typed answer exactly: no field missing, none
left undocumented, each of its declared type (the contract's `Out` models)."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel

from domain.payment import Payment
from domain.subscription import Subscription, TierCatalogue
from interfaces.http.queries.payments import PaymentOut
from interfaces.http.queries.subscriptions import SubscriptionOut
from projections.model import ReadModel, Row
from projections.payments import PaymentsModel
from projections.subscriptions import SubscriptionsModel

T0 = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)


def row_of(model: ReadModel, aggregate: object) -> Row:
    row = None
    for position, event in enumerate(aggregate.collect_events(), start=1):  # type: ignore[attr-defined]
        row = model.fold(row, event, position)
    assert row is not None
    return row


def fits(out: type[BaseModel], shown: dict) -> None:
    assert set(shown) == set(out.model_fields)
    out.model_validate(shown, strict=False)


def test_a_refunded_flagged_disputed_payment_fits_payment_out() -> None:
    payment = Payment.initiate("asha", "subscription", "sub-1", 49_900, "upi", "phonepe", T0)
    payment.record_gateway_order("order_1", T0)
    payment.record_capture("pay_1", 499, "INR", T0)
    payment.capture("pay_1", 49_900, T0)
    payment.request_refund("rf_1", 10_000, "goodwill", T0)
    payment.record_refund("rfnd_1", 10_000, "rf_1", "goodwill", T0)
    payment.open_dispute("disp_1", 49_900, T0)
    fits(PaymentOut, PaymentsModel().out(row_of(PaymentsModel(), payment)))


def test_a_past_due_autopay_subscription_fits_subscription_out() -> None:
    sub = Subscription.request("asha", TierCatalogue().get("basic_monthly"), T0, "autopay")
    sub.create_mandate("sub_1", T0)
    sub.activate(T0, T0, payment_id="3f2b6d3e-0c1a-4d5e-9f8a-7b6c5d4e3f2a")
    sub.mark_past_due(sub.current_period_end)  # type: ignore[arg-type]
    fits(SubscriptionOut, SubscriptionsModel().out(row_of(SubscriptionsModel(), sub)))
