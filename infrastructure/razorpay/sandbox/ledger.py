"""The sandbox's orders, payments and refunds, in memory, behind one lock (Razorpay's rules)."""

from __future__ import annotations

import copy
import re
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from infrastructure.razorpay.sandbox import entities as make
from infrastructure.razorpay.sandbox.entities import Entity, RazorpayError

Event = tuple[str, dict[str, Entity]]  # a webhook event: its name and the entities it carries
IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9_-]{10,}")
T = TypeVar("T")


def snapshot(**entities: Entity) -> dict[str, Entity]:
    """Webhook entities are copies as of the event, never live objects."""
    return copy.deepcopy(entities)


def positive_amount(body: dict[str, Any], field: str = "amount") -> int:
    amount = body.get(field)
    if not isinstance(amount, int) or isinstance(amount, bool) or amount < 100:
        raise RazorpayError("The amount must be atleast INR 1.00", field=field)
    return amount


class Ledger:
    """Orders (one per receipt), payments on them, and refunds never above what was captured."""

    def __init__(self, clock: Callable[[], float], unique_receipts: bool = True) -> None:
        self.lock, self.clock, self.unique_receipts = threading.RLock(), clock, unique_receipts
        self.orders: dict[str, Entity] = {}
        self.payments: dict[str, Entity] = {}
        self.refunds: dict[str, Entity] = {}
        self._receipts: dict[str, str] = {}
        self._idempotent: dict[tuple[str, str], tuple[dict[str, Any], str]] = {}

    def now(self) -> int:
        return int(self.clock())

    def read(self, produce: Callable[[], T]) -> T:
        """Runs a read or a change under the lock and answers a copy (never a live entity)."""
        with self.lock:
            return copy.deepcopy(produce())

    def find(self, table: dict[str, Entity], entity_id: str) -> Entity:
        if entity_id not in table:
            raise RazorpayError("The id provided does not exist")
        return table[entity_id]

    def create_order(self, body: dict[str, Any]) -> Entity:
        """A receipt already used returns its order (a retried create is safe); another amount is
        refused. With `unique_receipts` off, as on Razorpay itself, every create makes an order."""
        amount, currency = positive_amount(body), body.get("currency")
        if not isinstance(currency, str) or len(currency) != 3:
            raise RazorpayError("The currency field is required.", field="currency")
        receipt, notes = body.get("receipt"), body.get("notes") or {}
        with self.lock:
            if self.unique_receipts and receipt and receipt in self._receipts:
                found = self.orders[self._receipts[receipt]]
                if (found["amount"], found["currency"]) != (amount, currency):
                    raise RazorpayError("The receipt has already been used for another amount",
                                        field="receipt")
                return found
            created = make.order(amount, currency, receipt, notes, self.now())
            self.orders[created["id"]] = created
            if receipt:
                self._receipts[receipt] = created["id"]
            return created

    def start_payment(self, order_id: str, method: str, upi_app: str | None) -> Entity:
        """A payment attempt on an order (Checkout opened and the UPI app took over)."""
        with self.lock:
            order = self.find(self.orders, order_id)
            if order["status"] == "paid":
                raise RazorpayError("Order is already paid")
            order.update(status="attempted", attempts=order["attempts"] + 1)
            started = make.payment(order_id, order["amount_due"], order["currency"], method, upi_app,
                                   self.now(), notes=order["notes"])
            self.payments[started["id"]] = started
            return started

    def fail(self, payment_id: str) -> list[Event]:
        with self.lock:
            payment = self.find(self.payments, payment_id)
            payment.update(status="failed", **make.FAILURE)
            return [("payment.failed", snapshot(payment=payment))]

    def authorize(self, payment_id: str) -> list[Event]:
        """Also a late authorization of a failed UPI payment (the client retried inside the app)."""
        with self.lock:
            payment = self.find(self.payments, payment_id)
            payment.update(status="authorized", **dict.fromkeys(make.FAILURE))
            return [("payment.authorized", snapshot(payment=payment))]

    def capture(self, payment_id: str, amount: int,
                currency: str | None = None) -> tuple[Entity, list[Event]]:
        """Captures an authorized payment's whole amount; the order becomes paid."""
        with self.lock:
            payment = self.find(self.payments, payment_id)
            if payment["status"] != "authorized":
                raise RazorpayError(f"This payment has already been {payment['status']}"
                                    if payment["status"] != "created" else "Payment is not authorized")
            if amount != payment["amount"] or currency not in (None, payment["currency"]):
                raise RazorpayError("Capture amount must be equal to the amount authorized", field="amount")
            fee = payment["amount"] * 2 // 100
            payment.update(status="captured", captured=True, fee=fee, tax=fee * 18 // 118)
            events: list[Event] = [("payment.captured", snapshot(payment=payment))]
            if payment["order_id"]:
                order = self.orders[payment["order_id"]]
                order.update(status="paid", amount_paid=order["amount"], amount_due=0)
                events.append(("order.paid", snapshot(payment=payment, order=order)))
            return payment, events

    def refund(self, payment_id: str, body: dict[str, Any], key: str | None) -> tuple[Entity, list[Event]]:
        """The same idempotency key and body give the first refund; never more than captured."""
        if key is not None and not IDEMPOTENCY_KEY.fullmatch(key):
            raise RazorpayError("The X-Refund-Idempotency header is invalid")
        with self.lock:
            if key is not None and (payment_id, key) in self._idempotent:
                first_body, refund_id = self._idempotent[(payment_id, key)]
                if first_body != body:
                    raise RazorpayError("The idempotency key was used with another request")
                return self.refunds[refund_id], []
            refund, events = self._new_refund(self.find(self.payments, payment_id), body)
            if key is not None:
                self._idempotent[(payment_id, key)] = (copy.deepcopy(body), refund["id"])
            return refund, events

    def _new_refund(self, payment: Entity, body: dict[str, Any]) -> tuple[Entity, list[Event]]:
        if payment["status"] not in ("captured", "refunded"):
            raise RazorpayError("The payment has not been captured, so it cannot be refunded")
        left = payment["amount"] - payment["amount_refunded"]
        amount = positive_amount(body) if "amount" in body else left
        if amount > left:
            raise RazorpayError("The refund amount provided is greater than amount captured",
                                field="amount")
        refund = make.refund(payment["id"], amount, payment["currency"], body.get("notes") or {},
                             body.get("receipt"), self.now())
        self.refunds[refund["id"]] = refund
        refunded = payment["amount_refunded"] + amount
        whole = refunded == payment["amount"]
        payment.update(amount_refunded=refunded, refund_status="full" if whole else "partial",
                       status="refunded" if whole else "captured")
        both = snapshot(refund=refund, payment=payment)
        return refund, [("refund.created", both), ("refund.processed", both)]
