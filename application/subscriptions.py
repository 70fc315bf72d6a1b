"""The Subscriptions handler: clients request, cancel and set up autopay; policies move the rest."""

from __future__ import annotations

from dataclasses import replace

from application.aggregates import Aggregates
from application.context import CommandContext, CommandResult
from application.errors import BadSignature, Forbidden
from application.gateway import PaymentGateway
from application.subscription_commands import (
    ActivateSubscription,
    CancelSubscription,
    ConfirmAutopay,
    EndPeriod,
    ExpireSubscription,
    HaltSubscription,
    MarkPastDue,
    MarkSubscriptionPastDue,
    OrderRenewal,
    RenewSubscription,
    RequestSubscription,
    StartAutopay,
)
from domain.errors import RuleViolation
from domain.subscription import RenewalMode, Subscription, TierCatalogue
from domain.values import Actor

__all__ = [
    "ActivateSubscription", "CancelSubscription", "ConfirmAutopay", "EndPeriod", "ExpireSubscription",
    "HaltSubscription", "MarkPastDue", "MarkSubscriptionPastDue", "OrderRenewal", "RenewSubscription",
    "RequestSubscription", "StartAutopay", "Subscriptions", "owned",
]
MANDATE_PERIODS = 120  # charges a mandate allows before the client approves a new one


class Subscriptions:
    """Handles subscription commands from clients, admins and the payment and time policies."""

    def __init__(self, aggregates: Aggregates, tiers: TierCatalogue, gateway: PaymentGateway) -> None:
        self.aggregates, self.tiers, self.gateway = aggregates, tiers, gateway

    def request(self, ctx: CommandContext, cmd: RequestSubscription) -> CommandResult:
        return self.aggregates.create(ctx, lambda: Subscription.request(
            ctx.actor.uid, self.tiers.get(cmd.tier), ctx.at, cmd.renewal))

    def cancel(self, ctx: CommandContext, cmd: CancelSubscription) -> CommandResult:
        return self.aggregates.change(
            ctx, Subscription, cmd.subscription_id, cmd.expected_version,
            lambda sub: owned(sub, ctx.actor).cancel(cmd.at_period_end, ctx.at),
        )

    def start_autopay(self, ctx: CommandContext, cmd: StartAutopay) -> CommandResult:
        """A gateway plan of the tier's price and period, and a mandate on it naming our
        subscription; the answer adds `mandate` for Checkout. A mandate not yet approved is reused."""
        sub = owned(self.aggregates.load(Subscription, cmd.subscription_id), ctx.actor)
        if sub.renewal is not RenewalMode.AUTOPAY or sub.is_over or sub.mandate_authenticated:
            raise RuleViolation("only an autopay subscription without an approved mandate takes one")
        if sub.gateway_subscription_id is not None:
            mandate = self.gateway.fetch_subscription(sub.gateway_subscription_id)
        else:
            notes = {"subscription_id": str(sub.id), "tier": sub.tier.code}
            plan = self.gateway.create_plan("daily", sub.tier.period_days, sub.tier.amount_paise,
                                            sub.tier.name, notes=notes)
            mandate = self.gateway.create_subscription(str(plan["id"]), MANDATE_PERIODS, notes)
        result = self.aggregates.change(ctx, Subscription, sub.id, None,
                                        lambda s: s.create_mandate(str(mandate["id"]), ctx.at))
        details = {"mandate": {"gateway_subscription_id": str(mandate["id"]), "key_id": self.gateway.key_id,
                               "short_url": mandate.get("short_url")}}
        return replace(result, extra={**result.extra, **details})

    def confirm_autopay(self, ctx: CommandContext, cmd: ConfirmAutopay) -> CommandResult:
        """Checks the mandate callback's signature with the gateway subscription id WE stored."""
        sub = owned(self.aggregates.load(Subscription, cmd.subscription_id), ctx.actor)
        ours = sub.gateway_subscription_id
        verify = self.gateway.verify_subscription_signature
        if ours is None or cmd.razorpay_subscription_id != ours or not verify(
                ours, cmd.razorpay_payment_id, cmd.razorpay_signature):
            raise BadSignature("the mandate signature does not verify for this subscription")
        return self.aggregates.change(ctx, Subscription, sub.id, None,
                                      lambda s: s.authenticate_mandate(ctx.at))

    def activate(self, ctx: CommandContext, cmd: ActivateSubscription) -> CommandResult:
        return self.aggregates.change(ctx, Subscription, cmd.subscription_id, None,
                                      lambda sub: sub.activate(cmd.period_start, ctx.at, cmd.payment_id))

    def renew(self, ctx: CommandContext, cmd: RenewSubscription) -> CommandResult:
        return self.aggregates.change(ctx, Subscription, cmd.subscription_id, None,
                                      lambda sub: sub.renew(ctx.at, cmd.period_start, cmd.payment_id))

    def order_renewal(self, ctx: CommandContext, cmd: OrderRenewal) -> CommandResult:
        return self.aggregates.change(ctx, Subscription, cmd.subscription_id, None,
                                      lambda sub: sub.order_renewal(cmd.payment_id, cmd.period_start, ctx.at))

    def mark_past_due(self, ctx: CommandContext, cmd: MarkPastDue) -> CommandResult:
        return self.aggregates.change(ctx, Subscription, cmd.subscription_id, None,
                                      lambda sub: sub.mark_past_due(cmd.at or ctx.at, cmd.retry_base))

    def expire(self, ctx: CommandContext, cmd: ExpireSubscription) -> CommandResult:
        return self.aggregates.change(ctx, Subscription, cmd.subscription_id, None,
                                      lambda sub: sub.expire(ctx.at))

    def halt(self, ctx: CommandContext, cmd: HaltSubscription) -> CommandResult:
        return self.aggregates.change(ctx, Subscription, cmd.subscription_id, None,
                                      lambda sub: sub.halt(ctx.at))

    def end_period(self, ctx: CommandContext, cmd: EndPeriod) -> CommandResult:
        return self.aggregates.change(ctx, Subscription, cmd.subscription_id, None,
                                      lambda sub: sub.end_period(ctx.at))


def owned(subscription: Subscription, actor: Actor) -> Subscription:
    """The subscription, if the actor may act on it: its client or an admin."""
    if not actor.is_admin and subscription.client_id != actor.uid:
        raise Forbidden("a client may act only on their own subscription")
    return subscription
