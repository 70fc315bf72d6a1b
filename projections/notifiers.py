"""What a user should know, kind by kind: each notifier turns one aggregate's events into notices.

A notifier names the events it reads, the *source* an event belongs to (the aggregate, by default),
what an event teaches about its source (`learn`: above all, the recipient) and what it tells whom
(`notices`), and which of the source's notices an event settles as read (`settled`), beside what
the recipient marks read in their inbox. Adding a kind is adding a notifier to NOTIFIERS, e.g. a
`Plan.Generated` notifier (to the client, or to the staff member who asked for a draft), or a
`Conversation.MessageSent` one (to the other participant, learnt from the conversation's start,
with the message's `seq` in `data`), whose `settled` answers, for `Conversation.ReadUpTo`, the
reader's notices of messages up to that `seq`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar
from uuid import NAMESPACE_URL, uuid5

from domain.payment import Payment
from domain.plan import Plan
from domain.subscription import Subscription
from projections.values import iso

Facts = dict[str, Any]
SOURCES = uuid5(NAMESPACE_URL, "https://gymgenius.app/notification-sources")


@dataclass(frozen=True)
class Notice:
    """One thing to tell one user; `recipient` None means the source's (learnt) recipient."""

    kind: str
    title: str
    data: dict[str, Any]
    recipient: str | None = None


class Notifier:
    event_types: ClassVar[tuple[type, ...]]

    def source(self, event: Any) -> str:
        return str(event.originator_id)

    def learn(self, facts: Facts, event: Any) -> Facts:
        return {}

    def notices(self, facts: Facts, event: Any) -> list[Notice]:
        return []

    def settled(self, notices: list[dict[str, Any]], event: Any) -> set[str]:
        """The ids of the source's notices this event makes read (none, unless a kind says so)."""
        return set()


def rupees(paise: int) -> str:
    return f"₹{paise // 100:,}.{paise % 100:02d}"


class PaymentNotifier(Notifier):
    """The payer hears that their payment went through, or failed."""

    event_types = (Payment.Initiated, Payment.Captured, Payment.Failed)

    def learn(self, facts: Facts, event: Any) -> Facts:
        if isinstance(event, Payment.Initiated):
            return {"recipient": event.client_id, "purpose": event.purpose.kind.value,
                    "reference_id": event.purpose.reference_id, "amount_paise": event.amount.paise}
        return {}

    def notices(self, facts: Facts, event: Any) -> list[Notice]:
        data = {"payment_id": str(event.originator_id), "purpose": facts.get("purpose"),
                "reference_id": facts.get("reference_id")}
        if isinstance(event, Payment.Captured):
            return [Notice("payment_captured", f"Payment of {rupees(event.amount.paise)} received",
                           {**data, "amount_paise": event.amount.paise})]
        if isinstance(event, Payment.Failed):
            return [Notice("payment_failed", f"Payment of {rupees(facts['amount_paise'])} failed",
                           {**data, "attempt": event.attempt})]
        return []


class SubscriptionNotifier(Notifier):
    """The member hears that their membership started, is due for renewal, is overdue, or expired."""

    event_types = (Subscription.Requested, Subscription.Activated, Subscription.RenewalOrdered,
                   Subscription.RenewalFailed, Subscription.Expired)

    def learn(self, facts: Facts, event: Any) -> Facts:
        if isinstance(event, Subscription.Requested):
            return {"recipient": event.client_id, "tier": event.tier.code, "tier_name": event.tier.name}
        return {}

    def notices(self, facts: Facts, event: Any) -> list[Notice]:
        data = {"subscription_id": str(event.originator_id), "tier": facts.get("tier")}
        name = facts.get("tier_name")
        match event:
            case Subscription.Activated():
                return [Notice("subscription_activated", f"{name} membership is active",
                               {**data, "payment_id": event.payment_id, "period_end": iso(event.period_end)})]
            case Subscription.RenewalOrdered():
                return [Notice("renewal_due", f"{name} membership: renewal due", {
                    **data, "payment_id": event.payment_id, "period_start": iso(event.period_start)})]
            case Subscription.RenewalFailed():
                return [Notice("subscription_past_due", f"{name} membership: payment overdue",
                               {**data, "attempt": event.attempt, "grace_until": iso(event.grace_until)})]
            case Subscription.Expired():
                return [Notice("subscription_expired", f"{name} membership expired", data)]
        return []


class PlanAssignedNotifier(Notifier):
    """A client hears that a plan is theirs (each client of a plan is a source of their own)."""

    event_types = (Plan.Assigned,)

    def source(self, event: Any) -> str:
        return str(uuid5(SOURCES, f"{event.originator_id}\x1f{event.client_id}"))

    def notices(self, facts: Facts, event: Any) -> list[Notice]:
        return [Notice("plan_assigned", "A new plan is yours", {"plan_id": str(event.originator_id)},
                       recipient=event.client_id)]


NOTIFIERS: tuple[Notifier, ...] = (PaymentNotifier(), SubscriptionNotifier(), PlanAssignedNotifier())
