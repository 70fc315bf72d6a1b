"""The sandbox's state and the simulator's moves on it, apart from the ASGI app that serves it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from infrastructure.razorpay.sandbox.checkout import Outcome, authenticate_mandate, pay_order
from infrastructure.razorpay.sandbox.entities import Entity
from infrastructure.razorpay.sandbox.faults import Faults
from infrastructure.razorpay.sandbox.ledger import Event, Ledger
from infrastructure.razorpay.sandbox.mandates import Mandates
from infrastructure.razorpay.sandbox.webhooks import Sent, Webhooks


@dataclass
class Sandbox:
    """The sandbox's state: keys, ledger, mandates, webhooks and faults (all thread-safe)."""

    key_id: str
    key_secret: str
    ledger: Ledger
    mandates: Mandates
    webhooks: Webhooks
    faults: Faults = field(default_factory=Faults)
    delivery: dict[str, Any] = field(default_factory=dict)  # default duplicates, shuffle, seed

    def send(self, events: list[Event], **options: Any) -> list[Sent]:
        """Signs and queues events; per-call options override the sandbox's defaults."""
        return self.webhooks.send(events, **{**self.delivery, **options}) if events else []

    def checkout(self, order_id: str, method: str = "upi", upi_app: str | None = "phonepe",
                 outcome: Outcome = "captured", **delivery: Any) -> Entity:
        """A client pays an order in Checkout; answers Checkout's callback fields (or its error)."""
        callback, events = self.ledger.read(lambda: pay_order(self.ledger, self.key_secret, order_id,
                                                              method, upi_app, outcome))
        self.send(events, **delivery)
        return callback

    def authenticate(self, sub_id: str, upi_app: str = "phonepe", succeed: bool = True,
                     **delivery: Any) -> Entity:
        """A client approves (or refuses) a subscription's UPI AutoPay mandate in the app."""
        callback, events = self.ledger.read(lambda: authenticate_mandate(
            self.mandates, self.key_secret, sub_id, upi_app, succeed))
        self.send(events, **delivery)
        return callback

    def charge(self, sub_id: str, outcome: str = "charged", **delivery: Any) -> Entity:
        """Razorpay's scheduler charges a mandate: `charged`, `pending` or `halted`."""
        payment, events = self.ledger.read(lambda: self.mandates.charge(sub_id, outcome))
        self.send(events, **delivery)
        return {"payment": payment,
                "subscription": self.ledger.read(lambda: self.mandates.subscriptions[sub_id])}

    def close(self) -> None:
        self.webhooks.close()
