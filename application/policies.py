"""The policies (process managers): what the system does when an event is recorded.

Each is a pure decision, event in, commands out; a runner reads the log from each policy's own
position, issues the commands as the system with an idempotency key derived from the causing
event (`policy_key`), and only then moves the position: delivered twice, it changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from application.lifecycle import CancelForFullRefund, SettleCapturedPayment
from domain.payment import Payment

Decide = Callable[[Any], Sequence[object]]


@dataclass(frozen=True)
class Policy:
    """A named reaction to some event types; `decide` never reads or writes anything."""

    name: str
    reacts_to: tuple[type, ...]
    decide: Decide

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


POLICIES: tuple[Policy, ...] = (
    Policy("settlement", (Payment.Captured, Payment.Refunded), settlement),
)
