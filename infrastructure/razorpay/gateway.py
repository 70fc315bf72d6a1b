"""The payment gateway: Razorpay through its `razorpay` client, with timeouts, retries and a breaker.
Synchronous: call it from worker threads or the thread pool, never on the event loop."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

import razorpay
import requests

from infrastructure.razorpay import signatures
from infrastructure.razorpay.breaker import Breaker, guarded
from infrastructure.razorpay.errors import GatewayRejected, GatewayUnavailable
from infrastructure.razorpay.metrics import GATEWAY_CALLS, GATEWAY_RETRIES
from infrastructure.razorpay.resilience import GatewayPolicy, ThreadClients, TimedSession, TransientFailure

Entity = dict[str, Any]  # a Razorpay entity as its API answers it
T = TypeVar("T")
PAGE = 100


def _page(query: Entity, kind: str = "payment") -> Callable[[razorpay.Client], list[Entity]]:
    return lambda client: getattr(client, kind).all(query)["items"]


def _unix(at: datetime | int) -> int:
    return int(at.timestamp()) if isinstance(at, datetime) else at


class RazorpayGateway:
    """Orders, payments, refunds and subscriptions on Razorpay; answers are Razorpay's entities.
    Raises `GatewayUnavailable` (retry later) or `GatewayRejected` (the request was refused)."""

    def __init__(self, key_id: str, key_secret: str, base_url: str | None = None,
                 webhook_secrets: Sequence[str | None] = (), policy: GatewayPolicy | None = None) -> None:
        self.key_id, self._key_secret, self.base_url = key_id, key_secret, base_url
        self.webhook_secrets = [s for s in webhook_secrets if s]
        self.policy = policy or GatewayPolicy()
        self.breaker = Breaker(self.policy.breaker_failures, self.policy.breaker_reset_s)
        self._clients = ThreadClients()

    def create_order(self, payment_id: str, amount_paise: int, currency: str = "INR",
                     notes: Mapping[str, str] | None = None) -> Entity:
        """An order whose `receipt` is our payment id; a retry first looks that receipt up, so an
        attempt that created the order but lost the answer never makes a second one."""
        body = {"amount": amount_paise, "currency": currency, "receipt": payment_id,
                "notes": dict(notes or {})}
        tries = itertools.count()

        def create(client: razorpay.Client) -> Entity:
            if next(tries) > 0:
                found = client.order.all({"receipt": payment_id, "count": 1})["items"]
                if found:
                    return found[0]
            return client.order.create(body)

        return self._call("create_order", create)

    def fetch_order(self, order_id: str) -> Entity:
        return self._call("fetch_order", lambda client: client.order.fetch(order_id))

    def fetch_payment(self, gateway_payment_id: str) -> Entity:
        return self._call("fetch_payment", lambda client: client.payment.fetch(gateway_payment_id))

    def list_payments(self, start: datetime | int, end: datetime | int) -> list[Entity]:
        """Every payment created in [start, end], newest first, through all pages."""
        return self._list("payment", start, end)

    def list_refunds(self, start: datetime | int, end: datetime | int) -> list[Entity]:
        """Every refund created in [start, end], newest first, through all pages."""
        return self._list("refund", start, end)

    def _list(self, kind: str, start: datetime | int, end: datetime | int) -> list[Entity]:
        window = {"from": _unix(start), "to": _unix(end), "count": PAGE}
        found: dict[str, Entity] = {}
        for skip in itertools.count(0, PAGE):
            page: list[Entity] = self._call(f"list_{kind}s", _page({**window, "skip": skip}, kind))
            found.update((payment["id"], payment) for payment in page)  # a page may repeat one
            if len(page) < PAGE:
                return list(found.values())
        raise AssertionError("unreachable")

    def capture(self, gateway_payment_id: str, amount_paise: int, currency: str = "INR") -> Entity:
        return self._call("capture", lambda client: client.payment.capture(
            gateway_payment_id, amount_paise, {"currency": currency}))

    def refund(self, gateway_payment_id: str, amount_paise: int, idempotency_key: str,
               notes: Mapping[str, str] | None = None) -> Entity:
        """Sends `X-Refund-Idempotency` (10+ letters, digits, `-`, `_`): a retry returns the first refund."""
        body = {"amount": amount_paise, "notes": dict(notes or {})}
        headers = {"X-Refund-Idempotency": idempotency_key}
        return self._call("refund", lambda client: client.payment.refund(
            gateway_payment_id, body, headers=headers))

    def create_plan(self, period: str, interval: int, amount_paise: int, name: str,
                    currency: str = "INR", notes: Mapping[str, str] | None = None) -> Entity:
        item = {"name": name, "amount": amount_paise, "currency": currency}
        body = {"period": period, "interval": interval, "item": item, "notes": dict(notes or {})}
        return self._call("create_plan", lambda client: client.plan.create(body))

    def create_subscription(self, plan_id: str, total_count: int, notes: Mapping[str, str] | None = None,
                            start_at: datetime | int | None = None) -> Entity:
        """A UPI AutoPay mandate on a plan. Razorpay has no idempotency key here: a retried create
        may leave an extra subscription in `created`, never authenticated (the notes name ours)."""
        body: Entity = {"plan_id": plan_id, "total_count": total_count, "notes": dict(notes or {}),
                        "customer_notify": 0}
        if start_at is not None:
            body["start_at"] = _unix(start_at)
        return self._call("create_subscription", lambda client: client.subscription.create(body))

    def fetch_subscription(self, subscription_id: str) -> Entity:
        return self._call("fetch_subscription", lambda client: client.subscription.fetch(subscription_id))

    def cancel_subscription(self, subscription_id: str, at_cycle_end: bool = False) -> Entity:
        body = {"cancel_at_cycle_end": 1 if at_cycle_end else 0}
        return self._call("cancel_subscription", lambda client: client.subscription.cancel(
            subscription_id, body))

    def verify_payment_signature(self, order_id: str, payment_id: str, signature: str | None) -> bool:
        return signatures.verify_payment(self._key_secret, order_id, payment_id, signature)

    def verify_subscription_signature(self, subscription_id: str, payment_id: str,
                                      signature: str | None) -> bool:
        return signatures.verify_subscription(self._key_secret, subscription_id, payment_id, signature)

    def verify_webhook(self, raw_body: bytes, signature: str | None,
                       secrets: Sequence[str | None] | None = None) -> bool:
        """`secrets` defaults to the configured webhook secrets (current, then previous)."""
        chosen = self.webhook_secrets if secrets is None else secrets
        return signatures.verify_webhook(raw_body, signature, chosen)

    def _client(self) -> razorpay.Client:
        if self._clients.client is None:
            options = {"base_url": self.base_url} if self.base_url else {}
            self._clients.client = razorpay.Client(session=TimedSession(self.policy.timeout_s),
                                                   auth=(self.key_id, self._key_secret), **options)
        return self._clients.client

    def _call(self, operation: str, request: Callable[[razorpay.Client], T]) -> T:
        started, outcome = time.perf_counter(), "unavailable"
        retrying = self.policy.retrying()
        retrying.before_sleep = lambda state: GATEWAY_RETRIES.labels(operation).inc()
        deadline = time.monotonic() + self.policy.deadline_s if self.policy.deadline_s else None

        def attempt() -> T:
            client = self._client()
            client.session.deadline = deadline  # this thread's session: no attempt outlives the deadline
            return request(client)

        try:
            result = retrying(guarded, self.breaker, attempt)
            outcome = "ok"
            return result
        except GatewayRejected:
            outcome = "rejected"
            raise
        except (TransientFailure, requests.RequestException) as error:
            raise GatewayUnavailable(f"{operation}: {error}", self.breaker.retry_after_s()) from error
        finally:
            GATEWAY_CALLS.labels(operation, outcome).observe(time.perf_counter() - started)
