"""Plans and subscriptions (UPI AutoPay mandates): authentication, charges, pending, halt, cancel."""

from __future__ import annotations

import calendar
from datetime import UTC, datetime
from typing import Any

from infrastructure.razorpay.sandbox import entities as make
from infrastructure.razorpay.sandbox.entities import Entity, RazorpayError
from infrastructure.razorpay.sandbox.ledger import Event, Ledger, positive_amount, snapshot

PERIODS = {"daily": 1, "weekly": 7}


def period_end(start: int, period: str, interval: int) -> int:
    """The end of a billing cycle: days for daily and weekly plans, calendar months otherwise."""
    if period in PERIODS:
        return start + 86_400 * PERIODS[period] * interval
    at = datetime.fromtimestamp(start, UTC)
    months = at.month - 1 + interval * (12 if period == "yearly" else 1)
    year, month = at.year + months // 12, months % 12 + 1
    day = min(at.day, calendar.monthrange(year, month)[1])
    return int(at.replace(year=year, month=month, day=day).timestamp())


class Mandates:
    """Subscriptions on plans; each charge is a payment in the ledger."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.plans: dict[str, Entity] = {}
        self.subscriptions: dict[str, Entity] = {}

    def create_plan(self, body: dict[str, Any]) -> Entity:
        period, interval, item = body.get("period"), body.get("interval"), body.get("item")
        if period not in (*PERIODS, "monthly", "yearly"):
            raise RazorpayError("The period must be daily, weekly, monthly or yearly.", field="period")
        if not isinstance(interval, int) or interval < 1:
            raise RazorpayError("The interval must be at least 1.", field="interval")
        if not isinstance(item, dict) or not item.get("name") or not item.get("currency"):
            raise RazorpayError("The item name and currency are required.", field="item")
        positive_amount(item)
        with self.ledger.lock:
            created = make.plan(period, interval, item, body.get("notes") or {}, self.ledger.now())
            self.plans[created["id"]] = created
            return created

    def create_subscription(self, body: dict[str, Any], base_url: str) -> Entity:
        total = body.get("total_count")
        if not isinstance(total, int) or total < 1:
            raise RazorpayError("The total count field is required.", field="total_count")
        with self.ledger.lock:
            plan = self.ledger.find(self.plans, str(body.get("plan_id")))
            sub = make.subscription(plan["id"], total, body.get("notes") or {}, body.get("start_at"),
                                    "", self.ledger.now())
            sub.update(short_url=f"{base_url}/sandbox/subscriptions/{sub['id']}",
                       customer_notify=bool(body.get("customer_notify", True)))
            self.subscriptions[sub["id"]] = sub
            return sub

    def cancel(self, sub_id: str, at_cycle_end: bool) -> tuple[Entity, list[Event]]:
        with self.ledger.lock:
            sub = self.ledger.find(self.subscriptions, sub_id)
            if sub["status"] in ("cancelled", "completed", "expired"):
                raise RazorpayError(f"Subscription cannot be cancelled since it is {sub['status']}")
            if at_cycle_end and sub["status"] == "active":
                sub.update(has_scheduled_changes=True, change_scheduled_at=sub["current_end"])
                return sub, []
            sub.update(status="cancelled", ended_at=self.ledger.now())
            return sub, [("subscription.cancelled", snapshot(subscription=sub))]

    def authenticate(self, sub_id: str, upi_app: str, succeed: bool) -> tuple[Entity, list[Event]]:
        """The mandate's first payment: authenticated, and charged at once unless it starts later."""
        with self.ledger.lock:
            sub = self.ledger.find(self.subscriptions, sub_id)
            if sub["status"] != "created":
                raise RazorpayError("The subscription is already authenticated")
            sub["auth_attempts"] += 1
            if not succeed:
                payment = self._payment(sub, upi_app)
                return payment, self.ledger.fail(payment["id"])
            sub["status"] = "authenticated"
            events: list[Event] = [("subscription.authenticated", snapshot(subscription=sub))]
            if sub["start_at"] and sub["start_at"] > self.ledger.now():
                return self._payment(sub, upi_app), events
            payment = self._payment(sub, upi_app)
            return payment, events + self._renew(sub, payment)

    def charge(self, sub_id: str, outcome: str,
               upi_app: str = "phonepe") -> tuple[Entity | None, list[Event]]:
        """One billing cycle: `charged` renews (or completes), `pending` and `halted` failed to collect;
        a cancellation scheduled at the cycle's end takes effect instead (no payment)."""
        with self.ledger.lock:
            sub = self.ledger.find(self.subscriptions, sub_id)
            if sub["status"] not in ("authenticated", "active", "pending"):
                raise RazorpayError(f"The subscription is {sub['status']}")
            if sub["has_scheduled_changes"]:
                sub.update(status="cancelled", ended_at=sub["current_end"], has_scheduled_changes=False)
                return None, [("subscription.cancelled", snapshot(subscription=sub))]
            payment = self._payment(sub, upi_app)
            if outcome != "charged":
                sub["status"] = "pending" if outcome == "pending" else "halted"
                return payment, [*self.ledger.fail(payment["id"]),
                                 (f"subscription.{sub['status']}", snapshot(subscription=sub))]
            return payment, self._renew(sub, payment)

    def _payment(self, sub: Entity, upi_app: str) -> Entity:
        amount = self.plans[sub["plan_id"]]["item"]["amount"]
        order = self.ledger.create_order({"amount": amount, "currency": "INR", "notes": sub["notes"]})
        payment = self.ledger.start_payment(order["id"], "upi", upi_app)
        payment["invoice_id"] = make.new_id("inv")
        return payment

    def _renew(self, sub: Entity, payment: Entity) -> list[Event]:
        first = sub["status"] == "authenticated"
        events = self.ledger.authorize(payment["id"])
        captured = self.ledger.capture(payment["id"], payment["amount"])[1]
        events += [e for e in captured if e[0] != "order.paid"]  # a mandate's charge, not a Checkout order
        plan, start = self.plans[sub["plan_id"]], sub["current_end"] or self.ledger.now()
        end = period_end(start, plan["period"], plan["interval"])
        paid = sub["paid_count"] + 1
        done = paid >= sub["total_count"]
        sub.update(status="completed" if done else "active", current_start=start, current_end=end,
                   charge_at=None if done else end, paid_count=paid,
                   remaining_count=sub["total_count"] - paid, ended_at=end if done else None)
        if first:
            events.append(("subscription.activated", snapshot(subscription=sub, payment=payment)))
        events.append(("subscription.charged", snapshot(subscription=sub, payment=payment)))
        if done:
            events.append(("subscription.completed", snapshot(subscription=sub)))
        return events
