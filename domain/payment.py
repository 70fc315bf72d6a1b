"""A client's payment for a subscription period or a plan: forward-only, and hash-chained."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any, ClassVar, TypeVar

from eventsourcing.domain import Aggregate, event

from domain.errors import InvalidValue, RuleViolation
from domain.hash_chain import GENESIS, hashed_data, link_hash
from domain.hash_chain import verify_chain as verify_chain  # for auditors
from domain.values import MAX_ID, Money, require_text

MAX_ATTEMPTS = 3
E = TypeVar("E", bound=Enum)


# Plain enums (not str enums) so that stored events give back the enum itself, not a str.
class PurposeKind(Enum):
    SUBSCRIPTION = "subscription"
    PLAN = "plan"


class PaymentMethod(Enum):
    UPI = "upi"
    CARD = "card"
    NETBANKING = "netbanking"


class UpiApp(Enum):
    PHONEPE = "phonepe"
    GPAY = "gpay"


class PaymentFlag(Enum):
    """Why an admin should look at a payment: the gateway reported something that does not fit."""

    AMOUNT_MISMATCH = "amount_mismatch"
    CURRENCY_MISMATCH = "currency_mismatch"
    DISPUTED = "disputed"


class DisputeOutcome(Enum):
    WON = "won"
    LOST = "lost"


class PaymentStatus(Enum):
    """`created` covers both "initiated" and "gateway order created": see `Payment.has_order`."""

    CREATED = "created"
    AUTHORIZED = "authorized"
    CAPTURED = "captured"
    FAILED = "failed"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"


SETTLED = frozenset({PaymentStatus.CAPTURED, PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.REFUNDED})


@dataclass(frozen=True)
class PaymentPurpose:
    """What the money is for: a subscription or a plan, by its id."""

    kind: PurposeKind
    reference_id: str


class AmountMismatch(RuleViolation):
    def __init__(self, expected: Money, got: int) -> None:
        super().__init__(f"captured {got} paise, but the payment is for {expected.paise} paise")


class AttemptsExhausted(RuleViolation):
    """A payment may be attempted at most MAX_ATTEMPTS times in all."""


class RefundExceedsCapture(RuleViolation):
    """Refunds together may never exceed what was captured."""


class Payment(Aggregate):
    """Money for a purpose; once captured it never moves back, and every event extends a hash chain."""

    class Initiated(Aggregate.Created):
        client_id: str
        purpose: PaymentPurpose
        amount: Money
        method: PaymentMethod
        upi_app: UpiApp | None
        at: datetime
        prev_hash: str
        hash: str

    class Linked(Aggregate.Event):
        """What every later payment event carries: its link in the hash chain."""

        prev_hash: str
        hash: str

    class GatewayOrderCreated(Linked):
        attempt: int
        gateway_order_id: str
        at: datetime

    class Authorized(Linked):
        gateway_payment_id: str
        at: datetime

    class Captured(Linked):
        gateway_payment_id: str
        amount: Money
        at: datetime

    class Failed(Linked):
        attempt: int
        reason: str
        gateway_payment_id: str | None
        at: datetime

    class LateFailureRecorded(Linked):
        reason: str
        gateway_payment_id: str | None
        at: datetime

    class RetryOpened(Linked):
        attempt: int
        at: datetime

    class Refunded(Linked):
        """Money went back to the client (v2: the gateway's refund id and our request's id, if any)."""

        class_version = 2
        added_later: ClassVar[frozenset[str]] = frozenset({"gateway_refund_id", "refund_id"})
        amount: Money
        reason: str
        at: datetime
        gateway_refund_id: str | None
        refund_id: str | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["gateway_refund_id"] = state["refund_id"] = None

    class Flagged(Linked):
        flag: str
        detail: str
        gateway_payment_id: str | None
        at: datetime

    class RefundRequested(Linked):
        refund_id: str
        amount: Money
        reason: str
        at: datetime

    class RefundFailed(Linked):
        refund_id: str
        gateway_refund_id: str | None
        reason: str
        at: datetime

    class DisputeOpened(Linked):
        dispute_id: str
        amount: Money
        at: datetime

    class DisputeClosed(Linked):
        dispute_id: str
        outcome: str
        at: datetime

    @event(Initiated)
    def __init__(
        self, client_id: str, purpose: PaymentPurpose, amount: Money, method: PaymentMethod,
        upi_app: UpiApp | None, at: datetime, prev_hash: str, hash: str,
    ) -> None:
        self.client_id, self.purpose, self.amount = client_id, purpose, amount
        self.method, self.upi_app, self.initiated_at = method, upi_app, at
        self.status = PaymentStatus.CREATED
        self.attempts = 1
        self.gateway_order_id: str | None = None
        self.gateway_payment_id: str | None = None
        self.failure_reason: str | None = None
        self.late_failures = 0
        self.captured: Money | None = None
        self.refunded = Money(0)
        self.refunds_pending: dict[str, Money] = {}  # our refund id -> amount asked of the gateway
        self.gateway_refund_ids: set[str] = set()
        self.flags: set[tuple[str, str | None]] = set()  # (flag, gateway payment id)
        self.disputes: dict[str, str] = {}  # dispute id -> "open", "won" or "lost"
        self.chain_head = hash

    @classmethod
    def initiate(
        cls, client_id: str, purpose: str, reference_id: str, amount_paise: int,
        method: str, upi_app: str | None, at: datetime,
    ) -> Payment:
        amount = Money(amount_paise)
        if amount.paise == 0:
            raise InvalidValue("amount_paise", "must be more than zero")
        way = _member(PaymentMethod, "method", method)
        app = None if upi_app is None else _member(UpiApp, "upi_app", upi_app)
        if app is not None and way is not PaymentMethod.UPI:
            raise InvalidValue("upi_app", "applies only to UPI payments")
        what = PaymentPurpose(
            _member(PurposeKind, "purpose", purpose), require_text("reference_id", reference_id, MAX_ID)
        )
        data: dict[str, Any] = {
            "client_id": require_text("client_id", client_id, MAX_ID), "purpose": what,
            "amount": amount, "method": way, "upi_app": app, "at": at,
        }
        timestamp = Payment.Initiated.create_timestamp()
        digest = link_hash(GENESIS, Payment.Initiated.__name__, 1, data, timestamp)
        return cls._create(Payment.Initiated, timestamp=timestamp, prev_hash=GENESIS, hash=digest, **data)

    @classmethod
    def record_charge(
        cls, client_id: str, purpose: str, reference_id: str, amount_paise: int, method: str,
        gateway_order_id: str | None, gateway_payment_id: str, at: datetime,
    ) -> Payment:
        """A charge the gateway made on its own (an autopay renewal): created already captured."""
        upi_app = None
        payment = cls.initiate(client_id, purpose, reference_id, amount_paise, method, upi_app, at)
        if gateway_order_id:
            payment.record_gateway_order(gateway_order_id, at)
        charge_id = require_text("gateway_payment_id", gateway_payment_id)
        payment._chain(Payment.Captured, gateway_payment_id=charge_id, amount=payment.amount, at=at)
        return payment

    @property
    def has_order(self) -> bool:
        return self.gateway_order_id is not None

    @property
    def refunded_paise(self) -> int:
        return self.refunded.paise

    def record_gateway_order(self, gateway_order_id: str, at: datetime) -> None:
        if self.gateway_order_id == gateway_order_id:
            return  # the worker that creates orders may deliver twice
        if self.status is not PaymentStatus.CREATED or self.has_order:
            raise RuleViolation("this attempt already has its gateway order")
        order_id = require_text("gateway_order_id", gateway_order_id)
        self._chain(Payment.GatewayOrderCreated, attempt=self.attempts, gateway_order_id=order_id, at=at)

    @event(GatewayOrderCreated)
    def _order_created(
        self, attempt: int, gateway_order_id: str, at: datetime, prev_hash: str, hash: str
    ) -> None:
        self.gateway_order_id = gateway_order_id
        self.chain_head = hash

    def authorize(self, gateway_payment_id: str, at: datetime) -> None:
        if self.status in SETTLED or self._is_authorized_as(gateway_payment_id):
            return  # forward-only, idempotent
        if self.status is PaymentStatus.AUTHORIZED:
            raise RuleViolation(f"already authorized as {self.gateway_payment_id}")
        self._require_order("authorize")
        payment_id = require_text("gateway_payment_id", gateway_payment_id)
        self._chain(Payment.Authorized, gateway_payment_id=payment_id, at=at)

    @event(Authorized)
    def _authorized(self, gateway_payment_id: str, at: datetime, prev_hash: str, hash: str) -> None:
        self.status = PaymentStatus.AUTHORIZED
        self.gateway_payment_id = gateway_payment_id
        self.chain_head = hash

    def capture(self, gateway_payment_id: str, amount_paise: int, at: datetime) -> None:
        if self.status in SETTLED:
            return  # forward-only, idempotent
        if amount_paise != self.amount.paise:
            raise AmountMismatch(self.amount, amount_paise)
        self._require_order("capture")
        payment_id = require_text("gateway_payment_id", gateway_payment_id)
        self._chain(Payment.Captured, gateway_payment_id=payment_id, amount=self.amount, at=at)

    @event(Captured)
    def _captured(
        self, gateway_payment_id: str, amount: Money, at: datetime, prev_hash: str, hash: str
    ) -> None:
        self.status = PaymentStatus.CAPTURED
        self.gateway_payment_id = gateway_payment_id
        self.captured = amount
        self.failure_reason = None
        self.chain_head = hash

    def record_capture(self, gateway_payment_id: str, amount_paise: int, currency: str, at: datetime) -> bool:
        """The gateway reports a capture: the same amount and currency captures (forward-only);
        any other is flagged for an admin and captures nothing. True when it captured (or had)."""
        if self.status in SETTLED:
            return True
        if currency != self.amount.currency:
            self.flag(PaymentFlag.CURRENCY_MISMATCH.value, f"captured in {currency}", gateway_payment_id, at)
            return False
        if amount_paise != self.amount.paise:
            detail = f"captured {amount_paise} paise of {self.amount.paise}"
            self.flag(PaymentFlag.AMOUNT_MISMATCH.value, detail, gateway_payment_id, at)
            return False
        self.capture(gateway_payment_id, amount_paise, at)
        return True

    def flag(self, flag: str, detail: str, gateway_payment_id: str | None, at: datetime) -> None:
        """Marks the payment for an admin; the same flag for the same gateway payment: nothing."""
        kind = _member(PaymentFlag, "flag", flag)
        if (kind.value, gateway_payment_id) in self.flags:
            return
        data = {"flag": kind.value, "detail": require_text("detail", detail, 500),
                "gateway_payment_id": gateway_payment_id}
        self._chain(Payment.Flagged, **data, at=at)

    @event(Flagged)
    def _flagged(
        self, flag: str, detail: str, gateway_payment_id: str | None, at: datetime, prev_hash: str, hash: str
    ) -> None:
        self.flags.add((flag, gateway_payment_id))
        self.chain_head = hash

    def open_dispute(self, dispute_id: str, amount_paise: int, at: datetime) -> None:
        """The client disputed the payment with their bank: recorded and flagged, once per dispute."""
        if dispute_id in self.disputes:
            return
        data = {"dispute_id": require_text("dispute_id", dispute_id), "amount": Money(amount_paise)}
        self._chain(Payment.DisputeOpened, **data, at=at)
        self.flag(PaymentFlag.DISPUTED.value, f"dispute {dispute_id}", self.gateway_payment_id, at)

    @event(DisputeOpened)
    def _dispute_opened(
        self, dispute_id: str, amount: Money, at: datetime, prev_hash: str, hash: str
    ) -> None:
        self.disputes[dispute_id] = "open"
        self.chain_head = hash

    def close_dispute(self, dispute_id: str, outcome: str, at: datetime) -> None:
        """A dispute is won or lost (opened first if we never heard of it); closing again: nothing."""
        result = _member(DisputeOutcome, "outcome", outcome)
        if self.disputes.get(dispute_id, "open") != "open":
            return
        if dispute_id not in self.disputes:
            self.open_dispute(dispute_id, 0, at)
        self._chain(Payment.DisputeClosed, dispute_id=dispute_id, outcome=result.value, at=at)

    @event(DisputeClosed)
    def _dispute_closed(self, dispute_id: str, outcome: str, at: datetime, prev_hash: str, hash: str) -> None:
        self.disputes[dispute_id] = outcome
        self.chain_head = hash

    def fail(self, reason: str, gateway_payment_id: str | None, at: datetime) -> None:
        """After a capture a failure is only recorded; a second failure of one attempt is ignored."""
        data = {"reason": require_text("reason", reason, 500), "gateway_payment_id": gateway_payment_id}
        if self.status in SETTLED:
            self._chain(Payment.LateFailureRecorded, **data, at=at)
        elif self.status is not PaymentStatus.FAILED:
            self._chain(Payment.Failed, attempt=self.attempts, **data, at=at)

    @event(Failed)
    def _failed(
        self, attempt: int, reason: str, gateway_payment_id: str | None, at: datetime,
        prev_hash: str, hash: str,
    ) -> None:
        self.status = PaymentStatus.FAILED
        self.failure_reason = reason
        self.chain_head = hash

    @event(LateFailureRecorded)
    def _late_failure(
        self, reason: str, gateway_payment_id: str | None, at: datetime, prev_hash: str, hash: str
    ) -> None:
        self.late_failures += 1
        self.chain_head = hash

    def retry(self, at: datetime) -> None:
        if self.status is not PaymentStatus.FAILED:
            raise RuleViolation(f"only a failed payment can be retried; this one is {self.status.value}")
        if self.attempts >= MAX_ATTEMPTS:
            raise AttemptsExhausted(f"a payment may be attempted at most {MAX_ATTEMPTS} times")
        self._chain(Payment.RetryOpened, attempt=self.attempts + 1, at=at)

    @event(RetryOpened)
    def _retried(self, attempt: int, at: datetime, prev_hash: str, hash: str) -> None:
        self.status = PaymentStatus.CREATED
        self.attempts = attempt
        self.gateway_order_id = self.gateway_payment_id = self.failure_reason = None
        self.chain_head = hash

    def refund(self, amount_paise: int | None, reason: str, at: datetime) -> None:
        """Records a refund made outside the gateway flow (no gateway refund id)."""
        amount = self._refundable(amount_paise)
        reason = require_text("reason", reason, 500)
        self._chain(Payment.Refunded, amount=amount, reason=reason, at=at,
                    gateway_refund_id=None, refund_id=None)

    def request_refund(self, refund_id: str, amount_paise: int | None, reason: str, at: datetime) -> None:
        """An admin asks for a refund (`refund_id` is ours, sent as the gateway's idempotency key).
        Asked and refunded together never exceed the capture. Asking again with the id: nothing."""
        if refund_id in self.refunds_pending:
            return
        amount = self._refundable(amount_paise)
        data = {"refund_id": require_text("refund_id", refund_id, MAX_ID), "amount": amount,
                "reason": require_text("reason", reason, 500)}
        self._chain(Payment.RefundRequested, **data, at=at)

    @event(RefundRequested)
    def _refund_requested(
        self, refund_id: str, amount: Money, reason: str, at: datetime, prev_hash: str, hash: str
    ) -> None:
        self.refunds_pending[refund_id] = amount
        self.chain_head = hash

    def record_refund(
        self, gateway_refund_id: str, amount_paise: int, refund_id: str | None, reason: str, at: datetime
    ) -> None:
        """The gateway refunded (its answer or `refund.processed`); once per gateway refund id. A
        refund we did not ask for is recorded too: the gateway is the truth of money moved."""
        if gateway_refund_id in self.gateway_refund_ids:
            return
        if self.captured is None:
            raise RuleViolation(f"only a captured payment can be refunded; this one is {self.status.value}")
        asked = self.refunds_pending.get(refund_id or "")
        amount = asked or Money(amount_paise)
        if amount.paise == 0 or amount.paise > (self.captured - self.refunded).paise:
            raise RefundExceedsCapture(f"only {(self.captured - self.refunded).paise} paise are left")
        data = {"amount": amount, "reason": require_text("reason", reason, 500), "at": at,
                "gateway_refund_id": require_text("gateway_refund_id", gateway_refund_id),
                "refund_id": refund_id if asked else None}
        self._chain(Payment.Refunded, **data)

    @event(Refunded)
    def _refunded(
        self, amount: Money, reason: str, at: datetime, gateway_refund_id: str | None,
        refund_id: str | None, prev_hash: str, hash: str,
    ) -> None:
        self.refunded = self.refunded + amount
        if gateway_refund_id is not None:
            self.gateway_refund_ids.add(gateway_refund_id)
        self.refunds_pending.pop(refund_id or "", None)
        whole = self.refunded == self.captured
        self.status = PaymentStatus.REFUNDED if whole else PaymentStatus.PARTIALLY_REFUNDED
        self.chain_head = hash

    def fail_refund(self, refund_id: str, gateway_refund_id: str | None, reason: str, at: datetime) -> None:
        """The gateway refused or failed a refund we asked for; its amount is refundable again."""
        if refund_id not in self.refunds_pending:
            return
        data = {"refund_id": refund_id, "gateway_refund_id": gateway_refund_id,
                "reason": require_text("reason", reason or "refund failed", 500)}
        self._chain(Payment.RefundFailed, **data, at=at)

    @event(RefundFailed)
    def _refund_failed(
        self, refund_id: str, gateway_refund_id: str | None, reason: str, at: datetime,
        prev_hash: str, hash: str,
    ) -> None:
        self.refunds_pending.pop(refund_id, None)
        self.chain_head = hash

    def _refundable(self, amount_paise: int | None) -> Money:
        if self.captured is None:
            raise RuleViolation(f"only a captured payment can be refunded; this one is {self.status.value}")
        left = self.captured - self.refunded - sum(self.refunds_pending.values(), Money(0))
        if left.paise == 0:
            raise RuleViolation("the payment is already refunded in whole")
        amount = left if amount_paise is None else Money(amount_paise)
        if amount.paise == 0:
            raise InvalidValue("amount_paise", "must be more than zero")
        if amount.paise > left.paise:
            raise RefundExceedsCapture(f"only {left.paise} paise are left to refund")
        return amount

    def _chain(self, event_class: type, **data: Any) -> None:
        """Records the event with its chain link (over its timestamp too), decided here so that
        replays never recompute it; the event's `@event` method then applies it."""
        timestamp = event_class.create_timestamp()  # type: ignore[attr-defined]
        hashed = hashed_data(event_class, data)
        digest = link_hash(self.chain_head, event_class.__name__, self.version + 1, hashed, timestamp)
        self.trigger_event(event_class, timestamp=timestamp, prev_hash=self.chain_head, hash=digest, **data)

    def _is_authorized_as(self, gateway_payment_id: str) -> bool:
        return self.status is PaymentStatus.AUTHORIZED and self.gateway_payment_id == gateway_payment_id

    def _require_order(self, action: str) -> None:
        if not self.has_order:
            raise RuleViolation(f"cannot {action} a payment before its gateway order exists")


def _member(kind: type[E], field: str, value: Any) -> E:
    try:
        return kind(value)
    except ValueError:
        choices = ", ".join(str(m.value) for m in kind)
        raise InvalidValue(field, f"must be one of {choices}") from None


VALUE_TYPES: list[type] = [
    PurposeKind, PaymentMethod, UpiApp, PaymentStatus, PaymentPurpose, PaymentFlag, DisputeOutcome,
]
