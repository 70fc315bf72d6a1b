"""The port to the payment gateway (Razorpay), as commands use it after their events commit."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

Entity = dict[str, Any]  # a gateway entity (order, payment, refund, subscription) as it answers


class GatewayError(Exception):
    """The payment gateway did not do what was asked."""


class GatewayUnavailable(GatewayError):
    """No answer in time, 429 or 5xx on every attempt, or the circuit breaker is open: try again
    after `retry_after_s` seconds (HTTP: 503 with `Retry-After`)."""

    def __init__(self, reason: str, retry_after_s: int) -> None:
        super().__init__(reason)
        self.reason, self.retry_after_s = reason, retry_after_s


class GatewayRejected(GatewayError):
    """The gateway refused the request (a 4xx other than 429); never retried."""

    def __init__(self, status: int, code: str, description: str, field: str | None = None) -> None:
        super().__init__(f"{status} {code}: {description}")
        self.status, self.code, self.description, self.field = status, code, description, field


class PaymentGateway(Protocol):
    """What GatewayNotices, payments and mandates need of the gateway. Calls are synchronous."""

    key_id: str

    def create_order(self, payment_id: str, amount_paise: int, currency: str = "INR",
                     notes: Mapping[str, str] | None = None) -> Entity: ...

    def fetch_order(self, order_id: str) -> Entity: ...

    def fetch_payment(self, gateway_payment_id: str) -> Entity: ...

    def list_payments(self, start: Any, end: Any) -> list[Entity]:
        """Every payment created in [start, end] (datetimes or unix seconds), through all pages."""

    def list_refunds(self, start: Any, end: Any) -> list[Entity]:
        """Every refund created in [start, end], through all pages."""

    def refund(self, gateway_payment_id: str, amount_paise: int, idempotency_key: str,
               notes: Mapping[str, str] | None = None) -> Entity: ...

    def create_plan(self, period: str, interval: int, amount_paise: int, name: str,
                    currency: str = "INR", notes: Mapping[str, str] | None = None) -> Entity: ...

    def create_subscription(self, plan_id: str, total_count: int, notes: Mapping[str, str] | None = None,
                            start_at: Any = None) -> Entity: ...

    def fetch_subscription(self, subscription_id: str) -> Entity: ...

    def verify_payment_signature(self, order_id: str, payment_id: str, signature: str | None) -> bool: ...

    def verify_subscription_signature(self, subscription_id: str, payment_id: str,
                                      signature: str | None) -> bool: ...

    def verify_webhook(self, raw_body: bytes, signature: str | None,
                       secrets: Sequence[str | None] | None = None) -> bool: ...
