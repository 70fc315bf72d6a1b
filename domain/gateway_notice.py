"""One webhook delivery from the payment gateway, kept once per gateway event id.

Its id derives from the gateway's event id, so a second delivery of the same event cannot be
recorded again: it is a duplicate. It is saved with the events the delivery caused, in one
transaction, so a delivery is either wholly processed or not at all.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import InvalidValue
from domain.values import MAX_ID, require_text

NAMESPACE = UUID("5b0f3e52-1c8e-4d55-9d3c-6a1f2b7e9c40")


class NoticeOutcome(Enum):
    PROCESSED = "processed"  # it changed (or confirmed) a payment or subscription of ours
    IGNORED = "ignored"  # an event type we do not act on
    UNMATCHED = "unmatched"  # about a payment or subscription we do not know: kept to reconcile


def notice_id(event_id: str) -> UUID:
    return uuid5(NAMESPACE, event_id)


class GatewayNotice(Aggregate):
    """A gateway event as we received it, and what we made of it."""

    class Received(Aggregate.Created):
        event_id: str
        event_type: str
        payment_id: str | None
        gateway_payment_id: str | None
        gateway_order_id: str | None
        amount_paise: int | None
        currency: str | None
        outcome: str
        at: datetime
        subscription_id: str | None
        gateway_subscription_id: str | None

    @staticmethod
    def create_id(event_id: str) -> UUID:  # type: ignore[override]
        return notice_id(event_id)

    @event(Received)
    def __init__(
        self, event_id: str, event_type: str, payment_id: str | None, gateway_payment_id: str | None,
        gateway_order_id: str | None, amount_paise: int | None, currency: str | None, outcome: str,
        at: datetime, subscription_id: str | None, gateway_subscription_id: str | None,
    ) -> None:
        self.event_id, self.event_type, self.outcome = event_id, event_type, outcome
        self.payment_id, self.gateway_payment_id = payment_id, gateway_payment_id
        self.gateway_order_id, self.amount_paise, self.currency = gateway_order_id, amount_paise, currency
        self.received_at = at
        self.subscription_id, self.gateway_subscription_id = subscription_id, gateway_subscription_id

    @classmethod
    def receive(
        cls, event_id: str, event_type: str, outcome: str, at: datetime, *, payment_id: str | None = None,
        gateway_payment_id: str | None = None, gateway_order_id: str | None = None,
        amount_paise: int | None = None, currency: str | None = None, subscription_id: str | None = None,
        gateway_subscription_id: str | None = None,
    ) -> GatewayNotice:
        try:
            kind = NoticeOutcome(outcome)
        except ValueError:
            raise InvalidValue("outcome", "must be processed, ignored or unmatched") from None
        return cls(
            event_id=require_text("event_id", event_id, MAX_ID),
            event_type=require_text("event_type", event_type, MAX_ID), payment_id=payment_id,
            gateway_payment_id=gateway_payment_id, gateway_order_id=gateway_order_id,
            amount_paise=amount_paise, currency=currency, outcome=kind.value, at=at,
            subscription_id=subscription_id, gateway_subscription_id=gateway_subscription_id,
        )


VALUE_TYPES: list[type] = [NoticeOutcome]
