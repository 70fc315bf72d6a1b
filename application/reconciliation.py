"""Reconciliation: our payment log against the gateway's payments and refunds over a window.

A run records each difference once: one an earlier run already recorded (the same kind, payment
and both sides' values; open or resolved) is named in the run's `seen_again`, never recorded as
new. A difference whose values changed since is a new one. Nothing is ever fixed here.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from application.aggregates import Aggregates
from application.audit import Audit
from application.context import CommandContext, CommandResult
from application.errors import Forbidden
from application.gateway import Entity, GatewayError, GatewayRejected
from domain.payment import Payment, PaymentStatus
from domain.reconciliation import Reconciliation
from domain.values import Role

MONEY_MOVED = frozenset({"authorized", "captured", "refunded"})
AS_GATEWAY = {
    PaymentStatus.CREATED: "created",
    PaymentStatus.AUTHORIZED: "authorized",
    PaymentStatus.CAPTURED: "captured",
    PaymentStatus.PARTIALLY_REFUNDED: "captured",
    PaymentStatus.REFUNDED: "refunded",
    PaymentStatus.FAILED: "failed",
}


class GatewayLedger(Protocol):
    """What reconciliation reads of the gateway: its lists (paged with from/to/count/skip) and one payment."""

    def list_payments(self, start: datetime | int, end: datetime | int) -> list[Entity]: ...

    def list_refunds(self, start: datetime | int, end: datetime | int) -> list[Entity]: ...

    def fetch_payment(self, gateway_payment_id: str) -> Entity: ...


class RunIndex(Protocol):
    def reconciliation_ids(self) -> list[UUID]:
        """Every reconciliation run, oldest first."""


@dataclass
class Finding:
    kind: str
    payment_id: str | None
    gateway_payment_id: str | None
    ours: dict[str, Any] | None
    theirs: dict[str, Any] | None

    @property
    def key(self) -> str:
        body = json.dumps(
            [self.kind, self.payment_id, self.gateway_payment_id, self.ours, self.theirs],
            sort_keys=True,
            default=str,
        )
        return hashlib.sha256(body.encode()).hexdigest()[:32]


@dataclass
class RunSummary:
    status: str
    new: list[Finding] = field(default_factory=list)
    seen_again: int = 0


def _ours(payment: Payment) -> dict[str, Any]:
    return {
        "payment_id": str(payment.id),
        "amount_paise": payment.amount.paise,
        "status": AS_GATEWAY[payment.status],
        "refunded_paise": payment.refunded.paise,
    }


def _theirs(entity: Entity) -> dict[str, Any]:
    return {
        "gateway_payment_id": entity.get("id"),
        "amount_paise": entity.get("amount"),
        "status": entity.get("status"),
        "refunded_paise": entity.get("amount_refunded", 0),
    }


def compare(payment: Payment | None, entity: Entity) -> Iterator[Finding]:
    """The differences between one of our payments and the gateway's record of it."""
    theirs = _theirs(entity)
    if payment is None:
        yield Finding("missing_in_log", None, entity.get("id"), None, theirs)
        return
    ours = _ours(payment)
    for kind, field_name in (
        ("amount_mismatch", "amount_paise"),
        ("status_mismatch", "status"),
        ("refund_mismatch", "refunded_paise"),
    ):
        if ours[field_name] != theirs[field_name]:
            yield Finding(kind, str(payment.id), entity.get("id"), ours, theirs)


class Reconciliations:
    """Requests runs, carries them out (in a worker), and lets admins resolve what they found."""

    def __init__(self, aggregates: Aggregates, audit: Audit, gateway: GatewayLedger, runs: RunIndex) -> None:
        self.aggregates, self.audit, self.gateway, self.runs = aggregates, audit, gateway, runs

    def request(self, ctx: CommandContext, start: datetime, end: datetime) -> CommandResult:
        if ctx.actor.role not in (Role.AUDITOR, Role.ADMIN, Role.SUPERADMIN):
            raise Forbidden("only auditors and admins reconcile")
        return self.aggregates.create(ctx, lambda: Reconciliation.request(start, end, ctx.actor.uid, ctx.at))

    def resolve(self, ctx: CommandContext, run_id: UUID, number: int, reason: str) -> CommandResult:
        if ctx.actor.role not in (Role.ADMIN, Role.SUPERADMIN):
            raise Forbidden("only admins resolve discrepancies")
        return self.aggregates.change(
            ctx, Reconciliation, run_id, None, lambda run: run.resolve(number, reason, ctx.actor.uid, ctx.at)
        )

    def run(self, ctx: CommandContext, run_id: UUID) -> RunSummary:
        """Compares, then records every new difference and the outcome in one commit."""
        run = self.aggregates.load(Reconciliation, run_id)
        if run.status != "running":
            return RunSummary(run.status)
        try:
            findings, checked = self._findings(run.start, run.end)
        except GatewayError as error:
            reason = f"the gateway could not be read: {error}"
            self.aggregates.change(ctx, Reconciliation, run_id, None, lambda r: r.fail(reason, ctx.at))
            return RunSummary("failed")
        summary = RunSummary("completed")
        known_keys = self._known_keys(run_id)
        seen = [f.key for f in findings if f.key in known_keys]
        summary.new = [f for f in findings if f.key not in known_keys]
        summary.seen_again = len(seen)

        def act(r: Reconciliation) -> None:
            for f in summary.new:
                r.record(f.kind, f.key, f.payment_id, f.gateway_payment_id, f.ours, f.theirs)
            r.complete(checked, seen, ctx.at)

        self.aggregates.change(ctx, Reconciliation, run_id, None, act)
        return summary

    def _known_keys(self, run_id: UUID) -> set[str]:
        keys: set[str] = set()
        for other in self.runs.reconciliation_ids():
            if other != run_id:
                keys |= self.aggregates.load(Reconciliation, other).known_keys()
        return keys

    def _findings(self, start: datetime, end: datetime) -> tuple[list[Finding], int]:
        ours, moved = self._payments_at(end)
        in_window = {pid for pid, at in moved.items() if start <= at and _settled(ours[pid])}
        by_gateway = {str(p.gateway_payment_id): p for p in ours.values() if p.gateway_payment_id}
        theirs = {
            e["id"]: e for e in self.gateway.list_payments(start, end) if e.get("status") in MONEY_MOVED
        }
        findings = [f for gid, e in theirs.items() for f in compare(by_gateway.get(gid), e)]
        for payment in ours.values():
            if payment.gateway_payment_id not in theirs and payment.id in in_window:
                findings += self._one_side(payment)
        findings += self._refunds(by_gateway, start, end)
        compared = set(theirs) | {str(p.gateway_payment_id) for p in ours.values() if p.id in in_window}
        return findings, len(compared)

    def _one_side(self, payment: Payment) -> list[Finding]:
        try:
            entity = self.gateway.fetch_payment(str(payment.gateway_payment_id))
        except GatewayRejected:
            return [
                Finding(
                    "missing_in_gateway", str(payment.id), payment.gateway_payment_id, _ours(payment), None
                )
            ]
        return list(compare(payment, entity))

    def _refunds(self, by_gateway: dict[str, Payment], start: datetime, end: datetime) -> list[Finding]:
        found = []
        for refund in self.gateway.list_refunds(start, end):
            payment = by_gateway.get(str(refund.get("payment_id")))
            if (
                payment is not None
                and refund.get("status") == "processed"
                and refund.get("id") not in payment.gateway_refund_ids
            ):
                theirs = {"gateway_refund_id": refund.get("id"), "amount_paise": refund.get("amount")}
                ours = {**_ours(payment), "gateway_refund_ids": sorted(payment.gateway_refund_ids)}
                found.append(
                    Finding("refund_mismatch", str(payment.id), payment.gateway_payment_id, ours, theirs)
                )
        return found

    def _payments_at(self, end: datetime) -> tuple[dict[UUID, Payment], dict[UUID, datetime]]:
        """Every payment as it stood at `end` (one pass over the log's payment events), and when
        money last moved on each (authorized, captured, refunded)."""
        payments: dict[UUID, Any] = {}
        moved: dict[UUID, datetime] = {}
        for logged in self.audit.walk():
            event = logged.event
            if event is None or event.timestamp >= end:
                continue
            payments[logged.aggregate_id] = event.mutate(payments.get(logged.aggregate_id))
            if isinstance(event, Payment.Captured | Payment.Refunded | Payment.Authorized):
                moved[logged.aggregate_id] = event.timestamp
        return payments, moved


def _settled(payment: Payment) -> bool:
    settled = (PaymentStatus.CAPTURED, PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.REFUNDED)
    return bool(payment.gateway_payment_id) and payment.status in settled
