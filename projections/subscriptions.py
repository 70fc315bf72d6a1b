"""Subscriptions read model: one row per subscription, for its client, their staff and admins.

A client reads their own; trainers and nutritionists those of the clients assigned to them;
admins, superadmins and auditors all of them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, Column, DateTime, Index, Integer, String, Table, false, select

from domain.subscription import Subscription
from domain.values import Actor
from projections.access import visible_clients
from projections.model import ReadModel, Row
from projections.pages import Page, page
from projections.reading import ReadConnection
from projections.schema import metadata
from projections.values import STAFF_ROOMS, iso, utc, utc_or_none

subscriptions = Table(
    "subscriptions",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("seq", BigInteger, nullable=False, unique=True),
    Column("client_id", String(128), nullable=False, index=True),
    Column("tier", String(64), nullable=False),
    Column("status", String(20), nullable=False, index=True),
    Column("current_period_start", DateTime(timezone=True), nullable=True),
    Column("current_period_end", DateTime(timezone=True), nullable=True),
    Column("cancel_at_period_end", Boolean, nullable=False),
    Column("dunning_attempts", Integer, nullable=False),
    Column("next_retry_at", DateTime(timezone=True), nullable=True),
    Column("ended_at", DateTime(timezone=True), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("renewal", String(10), nullable=False, server_default="manual"),
    Column("renewal_due", Boolean, nullable=False, server_default=false()),
    Column("renewal_payment_id", String(36), nullable=True),
    Column("current_payment_id", String(36), nullable=True),
    Column("grace_until", DateTime(timezone=True), nullable=True),
    Column("gateway_subscription_id", String(200), nullable=True),
    Column("version", Integer, nullable=False),
    Column("position", BigInteger, nullable=False),
    # What the scheduler asks each minute: periods ending, reminders due, grace over.
    Index("ix_subscriptions_status_period_end", "status", "current_period_end"),
    Index("ix_subscriptions_status_next_retry_at", "status", "next_retry_at"),
    Index("ix_subscriptions_status_grace_until", "status", "grace_until"),
)

TIMES = ("current_period_start", "current_period_end", "next_retry_at", "ended_at", "created_at",
         "grace_until")


class SubscriptionsModel(ReadModel):
    name = "subscriptions"
    table = subscriptions
    created_by = Subscription.Requested
    event_types = (Subscription.Requested, Subscription.Activated, Subscription.Renewed,
                   Subscription.RenewalFailed, Subscription.CancellationScheduled,
                   Subscription.Cancelled, Subscription.Expired, Subscription.MandateCreated,
                   Subscription.MandateAuthenticated, Subscription.RenewalOrdered)
    push_event = "subscription.updated"

    def create(self, event: Any, position: int) -> Row:
        return _requested(event, position)

    def change(self, row: Row, event: Any) -> Row:
        match event:
            case Subscription.Activated():
                return _period(event)
            case Subscription.Renewed():
                return {**_period(event), "dunning_attempts": 0, "next_retry_at": None}
            case Subscription.RenewalFailed():
                return {"status": "past_due", "dunning_attempts": event.attempt,
                        "next_retry_at": utc_or_none(event.next_retry_at),
                        "grace_until": utc_or_none(event.grace_until)}
            case Subscription.RenewalOrdered():
                return {"renewal_due": True, "renewal_payment_id": event.payment_id}
            case Subscription.MandateCreated():
                return {"gateway_subscription_id": event.gateway_subscription_id}
            case Subscription.MandateAuthenticated():
                return {}
            case Subscription.CancellationScheduled():
                return {"cancel_at_period_end": True}
            case Subscription.Cancelled():
                return _ended("cancelled", event.at)
            case Subscription.Expired():
                return _ended("expired", event.at)
        raise TypeError(f"subscriptions do not fold {type(event).__name__}")

    def out(self, row: Row) -> dict[str, Any]:
        return show(row)

    def rooms(self, row: Row) -> tuple[str, ...]:
        return (f"user:{row['client_id']}", *STAFF_ROOMS)


def _requested(event: Subscription.Requested, position: int) -> Row:
    return {
        "id": str(event.originator_id), "seq": position, "client_id": event.client_id,
        "tier": event.tier.code, "status": "pending_payment", "current_period_start": None,
        "current_period_end": None, "cancel_at_period_end": False, "dunning_attempts": 0,
        "next_retry_at": None, "ended_at": None, "created_at": utc(event.at),
        "renewal": _renewal(event), "renewal_due": False, "renewal_payment_id": None,
        "current_payment_id": None, "grace_until": None, "gateway_subscription_id": None,
    }


def _renewal(event: Subscription.Requested) -> str:
    return str(getattr(event.renewal, "value", event.renewal))


def _period(event: Subscription.Activated | Subscription.Renewed) -> Row:
    """A paid period: whatever renewal was due or past due is settled by it."""
    return {"status": "active", "current_period_start": utc(event.period_start),
            "current_period_end": utc(event.period_end), "renewal_due": False,
            "renewal_payment_id": None, "grace_until": None,
            "current_payment_id": event.payment_id}


def _ended(status: str, at: datetime) -> Row:
    return {"status": status, "next_retry_at": None, "ended_at": utc(at), "renewal_due": False}


def show(row: Row) -> dict[str, Any]:
    """A subscription as the query API and the realtime push show it."""
    kept = ("id", "client_id", "tier", "status", "cancel_at_period_end", "dunning_attempts",
            "version", "renewal", "renewal_due", "renewal_payment_id", "gateway_subscription_id")
    return {**{k: row[k] for k in kept}, **{k: iso(row[k]) for k in TIMES}}


async def get_subscription(
    conn: ReadConnection, actor: Actor, subscription_id: str
) -> dict[str, Any] | None:
    query = select(subscriptions).where(subscriptions.c.id == subscription_id,
                                        visible_clients(actor, subscriptions.c.client_id))
    row = (await conn.execute(query)).mappings().first()
    return show(dict(row)) if row else None


async def list_subscriptions(
    conn: ReadConnection, actor: Actor, *, client_id: str | None, status: str | None,
    limit: int, cursor: str | None,
) -> Page:
    """Subscriptions the actor may read, newest first, by client and status."""
    query = select(subscriptions).where(visible_clients(actor, subscriptions.c.client_id))
    if client_id:
        query = query.where(subscriptions.c.client_id == client_id)
    if status:
        query = query.where(subscriptions.c.status == status)
    return await page(conn, query, subscriptions.c.seq, limit, cursor, show)
