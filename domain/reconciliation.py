"""A comparison of our payment log with the gateway's payments and refunds over a window: it
records each difference, fixes nothing, and an admin resolves each difference with a reason."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

from eventsourcing.domain import Aggregate, event

from domain.errors import InvalidValue, RuleViolation
from domain.values import require_text


class DiscrepancyKind(Enum):
    AMOUNT_MISMATCH = "amount_mismatch"
    STATUS_MISMATCH = "status_mismatch"
    MISSING_IN_GATEWAY = "missing_in_gateway"
    MISSING_IN_LOG = "missing_in_log"
    REFUND_MISMATCH = "refund_mismatch"


class Reconciliation(Aggregate):
    """One run over [start, end): running, then completed (or failed) with what it found."""

    class Requested(Aggregate.Created):
        start: datetime
        end: datetime
        requested_by: str
        at: datetime

    class DiscrepancyFound(Aggregate.Event):
        number: int
        kind: str
        key: str
        payment_id: str | None
        gateway_payment_id: str | None
        ours: dict[str, Any] | None
        theirs: dict[str, Any] | None

    class Completed(Aggregate.Event):
        checked: int
        seen_again: list[str]
        at: datetime

    class Failed(Aggregate.Event):
        reason: str
        at: datetime

    class DiscrepancyResolved(Aggregate.Event):
        number: int
        reason: str
        resolved_by: str
        at: datetime

    @event(Requested)
    def __init__(self, start: datetime, end: datetime, requested_by: str, at: datetime) -> None:
        self.start, self.end, self.requested_by, self.requested_at = start, end, requested_by, at
        self.status = "running"
        self.checked = 0
        self.found: dict[int, dict[str, Any]] = {}
        self.seen_again: list[str] = []
        self.resolved: dict[int, str] = {}

    @classmethod
    def request(cls, start: datetime, end: datetime, requested_by: str, at: datetime) -> Reconciliation:
        if end <= start:
            raise InvalidValue("to", "must be after from")
        return cls(start, end, require_text("requested_by", requested_by), at)

    def record(
        self,
        kind: str,
        key: str,
        payment_id: str | None,
        gateway_payment_id: str | None,
        ours: dict[str, Any] | None,
        theirs: dict[str, Any] | None,
    ) -> None:
        self._require_running()
        self._found(
            number=len(self.found) + 1,
            kind=DiscrepancyKind(kind).value,
            key=key,
            payment_id=payment_id,
            gateway_payment_id=gateway_payment_id,
            ours=ours,
            theirs=theirs,
        )

    @event(DiscrepancyFound)
    def _found(
        self,
        number: int,
        kind: str,
        key: str,
        payment_id: str | None,
        gateway_payment_id: str | None,
        ours: dict[str, Any] | None,
        theirs: dict[str, Any] | None,
    ) -> None:
        self.found[number] = {
            "kind": kind,
            "key": key,
            "payment_id": payment_id,
            "gateway_payment_id": gateway_payment_id,
            "ours": ours,
            "theirs": theirs,
        }

    def complete(self, checked: int, seen_again: list[str], at: datetime) -> None:
        self._require_running()
        self._completed(checked=checked, seen_again=seen_again, at=at)

    @event(Completed)
    def _completed(self, checked: int, seen_again: list[str], at: datetime) -> None:
        self.status, self.checked, self.seen_again = "completed", checked, seen_again

    def fail(self, reason: str, at: datetime) -> None:
        self._require_running()
        self._failed(reason=require_text("reason", reason[:500], 500), at=at)

    @event(Failed)
    def _failed(self, reason: str, at: datetime) -> None:
        self.status = "failed"

    def resolve(self, number: int, reason: str, resolved_by: str, at: datetime) -> None:
        """An admin closes a difference with a reason; resolving it again changes nothing."""
        if number not in self.found:
            raise InvalidValue("number", f"this run found no discrepancy {number}")
        if number in self.resolved:
            return
        self._resolved(
            number=number, reason=require_text("reason", reason, 500), resolved_by=resolved_by, at=at
        )

    @event(DiscrepancyResolved)
    def _resolved(self, number: int, reason: str, resolved_by: str, at: datetime) -> None:
        self.resolved[number] = reason

    def known_keys(self) -> set[str]:
        """Every difference this run recorded (open or resolved), by key."""
        return {d["key"] for d in self.found.values()}

    def _require_running(self) -> None:
        if self.status != "running":
            raise RuleViolation(f"this reconciliation is {self.status}")
