"""Commands on subscriptions: clients request and cancel; payment and time policies do the rest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from application.aggregates import Aggregates
from application.context import CommandContext, CommandResult
from application.errors import Forbidden
from domain.subscription import DUNNING_BASE, Subscription, TierCatalogue
from domain.values import Actor


@dataclass(frozen=True)
class RequestSubscription:
    """Ask for a subscription on a tier; it waits for its first payment."""

    tier: str


@dataclass(frozen=True)
class CancelSubscription:
    """End a subscription now, or when its current period ends."""

    subscription_id: UUID
    at_period_end: bool = False
    expected_version: int | None = None


@dataclass(frozen=True)
class ActivateSubscription:
    """The first payment was captured: start the first period."""

    subscription_id: UUID
    period_start: datetime


@dataclass(frozen=True)
class RenewSubscription:
    """A renewal payment was captured: add the period that starts at the current end."""

    subscription_id: UUID
    period_start: datetime | None = None


@dataclass(frozen=True)
class MarkSubscriptionPastDue:
    """A renewal payment failed: schedule the next attempt, with backoff."""

    subscription_id: UUID
    retry_base: timedelta = DUNNING_BASE


@dataclass(frozen=True)
class ExpireSubscription:
    """The period ran out (or the request lapsed unpaid): end the subscription."""

    subscription_id: UUID


class Subscriptions:
    """Handles subscription commands from clients, admins and the payment and time policies."""

    def __init__(self, aggregates: Aggregates, tiers: TierCatalogue) -> None:
        self.aggregates = aggregates
        self.tiers = tiers

    def request(self, ctx: CommandContext, cmd: RequestSubscription) -> CommandResult:
        return self.aggregates.create(
            ctx, lambda: Subscription.request(ctx.actor.uid, self.tiers.get(cmd.tier), ctx.at)
        )

    def cancel(self, ctx: CommandContext, cmd: CancelSubscription) -> CommandResult:
        return self.aggregates.change(
            ctx, Subscription, cmd.subscription_id, cmd.expected_version,
            lambda sub: owned(sub, ctx.actor).cancel(cmd.at_period_end, ctx.at),
        )

    def activate(self, ctx: CommandContext, cmd: ActivateSubscription) -> CommandResult:
        return self.aggregates.change(ctx, Subscription, cmd.subscription_id, None,
                                      lambda sub: sub.activate(cmd.period_start, ctx.at))

    def renew(self, ctx: CommandContext, cmd: RenewSubscription) -> CommandResult:
        return self.aggregates.change(ctx, Subscription, cmd.subscription_id, None,
                                      lambda sub: sub.renew(ctx.at, cmd.period_start))

    def mark_past_due(self, ctx: CommandContext, cmd: MarkSubscriptionPastDue) -> CommandResult:
        return self.aggregates.change(ctx, Subscription, cmd.subscription_id, None,
                                      lambda sub: sub.mark_past_due(ctx.at, cmd.retry_base))

    def expire(self, ctx: CommandContext, cmd: ExpireSubscription) -> CommandResult:
        return self.aggregates.change(ctx, Subscription, cmd.subscription_id, None,
                                      lambda sub: sub.expire(ctx.at))


def owned(subscription: Subscription, actor: Actor) -> Subscription:
    """The subscription, if the actor may cancel it: its client or an admin."""
    if not actor.is_admin and subscription.client_id != actor.uid:
        raise Forbidden("a client may cancel only their own subscription")
    return subscription
