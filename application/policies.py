"""The policies (process managers): what the system does when an event is recorded.

Each is a pure decision, event in, commands out; a runner reads the log from each policy's own
position, issues the commands as the system with an idempotency key derived from the causing
event (`policy_key`), and only then moves the position: delivered twice, it changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from application.lifecycle import CancelForFullRefund, RecordAutopayCharge, SettleCapturedPayment
from application.subscription_commands import HaltSubscription, MarkPastDue
from domain.gateway_notice import GatewayNotice
from domain.payment import Payment

Decide = Callable[[Any], Sequence[object]]


@dataclass(frozen=True)
class Policy:
    """A named reaction to some event types; `decide` never reads or writes anything. `lane`
    names what an event concerns: events of one lane are acted on in log order, other lanes'
    meanwhile (by default, an event's lane is its own aggregate)."""

    name: str
    reacts_to: tuple[type, ...]
    decide: Decide
    lane: Callable[[Any], str] = lambda event: str(event.originator_id)

    def commands(self, event: Any) -> Sequence[object]:
        return self.decide(event) if isinstance(event, self.reacts_to) else ()


def policy_key(policy: str, event: Any, index: int = 0) -> str:
    """The idempotency key of the `index`-th command a policy issues for an event."""
    base = f"{policy}:{event.originator_id}:{event.originator_version}"
    return base if index == 0 else f"{base}:{index}"


def settlement(event: Any) -> Sequence[object]:
    """A captured payment activates or renews its subscription, or grants its plan; a whole
    refund of the payment for the current period cancels the subscription at once."""
    match event:
        case Payment.Captured():
            return [SettleCapturedPayment(event.originator_id, event.at)]
        case Payment.Refunded():
            return [CancelForFullRefund(event.originator_id)]
    return []


def autopay(notice: Any) -> Sequence[object]:
    """What the gateway says of a mandate: a charge is recorded as a captured payment (which the
    settlement policy then turns into the next period), `pending` makes the subscription past
    due, `halted` expires it. A notice not matched to one of our subscriptions changes nothing."""
    if notice.outcome != "processed" or not notice.subscription_id:
        return []
    target = UUID(notice.subscription_id)
    match notice.event_type:
        case "subscription.charged":
            return [RecordAutopayCharge(target, notice.gateway_payment_id, notice.gateway_order_id,
                                        notice.amount_paise, notice.at)]
        case "subscription.pending":
            return [MarkPastDue(target, notice.at)]
        case "subscription.halted":
            return [HaltSubscription(target)]
    return []


POLICIES: tuple[Policy, ...] = (
    Policy("settlement", (Payment.Captured, Payment.Refunded), settlement),
    Policy("autopay", (GatewayNotice.Received,), autopay,
           lane=lambda notice: str(notice.subscription_id or notice.originator_id)),
)
