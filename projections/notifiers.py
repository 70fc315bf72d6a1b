"""What a user should know, kind by kind: each notifier turns one aggregate's events into notices.

A notifier names the events it reads, the *source* an event belongs to (the aggregate, by default),
what an event teaches about its source (`learn`: above all, the recipient) and what it tells whom
(`notices`), and which of the source's notices an event settles as read (`settled`), beside what
the recipient marks read in their inbox. Adding a kind is adding a notifier to NOTIFIERS.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar
from uuid import NAMESPACE_URL, uuid5

from domain.conversation import Conversation
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


class PlanNotifier(Notifier):
    """A client hears that a plan is theirs; whoever asked for a generated plan hears that it is
    ready (a client's own generated plan is assigned to them at once: one notice, not two). Each
    plan-and-person pair is a source of its own."""

    event_types = (Plan.Generated, Plan.Assigned)

    def source(self, event: Any) -> str:
        person = event.client_id if isinstance(event, Plan.Assigned) else event.author_id
        return str(uuid5(SOURCES, f"{event.originator_id}\x1f{person}"))

    def learn(self, facts: Facts, event: Any) -> Facts:
        return {"generated": True} if isinstance(event, Plan.Generated) else {}

    def notices(self, facts: Facts, event: Any) -> list[Notice]:
        plan_id = str(event.originator_id)
        if isinstance(event, Plan.Generated):
            return [Notice("plan_generated", _ready(event), {
                "plan_id": plan_id, "client_id": event.client_id, "source": event.source.value},
                recipient=event.author_id)]
        if facts.get("generated"):
            return []
        return [Notice("plan_assigned", "A new plan is yours", {"plan_id": plan_id},
                       recipient=event.client_id)]


def _ready(event: Any) -> str:
    if event.client_id is not None and event.client_id != event.author_id:
        return f"Generated draft ready to review: {event.title}"
    return f"Your plan is ready: {event.title}"


class MessageNotifier(Notifier):
    """The other participant hears of each message (never its text); their read receipt, or their
    own next message, settles the notices of the messages it covers."""

    event_types = (Conversation.Started, Conversation.MessageSent, Conversation.ReadUpTo)

    def learn(self, facts: Facts, event: Any) -> Facts:
        return {"participants": list(event.participants)} if isinstance(event, Conversation.Started) else {}

    def notices(self, facts: Facts, event: Any) -> list[Notice]:
        if not isinstance(event, Conversation.MessageSent):
            return []
        data = {"conversation_id": str(event.originator_id), "message_id": str(event.message_id),
                "seq": event.seq, "sender_id": event.sender_id}
        return [Notice("message_received", "New message", data, recipient=uid)
                for uid in facts.get("participants", []) if uid != event.sender_id]

    def settled(self, notices: list[dict[str, Any]], event: Any) -> set[str]:
        if isinstance(event, Conversation.ReadUpTo):
            reader, seq = event.uid, event.seq
        elif isinstance(event, Conversation.MessageSent):
            reader, seq = event.sender_id, event.seq
        else:
            return set()
        return {n["id"] for n in notices if n["recipient_id"] == reader and n["data"]["seq"] <= seq}


NOTIFIERS: tuple[Notifier, ...] = (
    PaymentNotifier(), SubscriptionNotifier(), PlanNotifier(), MessageNotifier())
