"""Random sequences of payment commands never break an invariant of the Payment aggregate."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from domain.errors import DomainError
from domain.hash_chain import chain_record, verify_chain
from domain.payment import MAX_ATTEMPTS, SETTLED, Payment
from infrastructure.eventstore.log import EventLog

MAPPER = EventLog(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}).mapper
PRICE = 29_900
T0 = datetime(2026, 11, 1, tzinfo=UTC)
gateway_ids = st.sampled_from(["a", "b", "c"])
amounts = st.sampled_from([PRICE, PRICE, PRICE, PRICE + 1, 100])
refund_ids = st.sampled_from(["rf_1", "rf_2"])
refunds = st.one_of(st.none(), st.sampled_from([-1, 0, 1, 9_900, PRICE - 1, PRICE, PRICE + 1]))


class PaymentMachine(RuleBasedStateMachine):
    payment: Payment
    events: list[Any]

    @initialize(method=st.sampled_from(["upi", "card", "netbanking"]))
    def initiate(self, method: str) -> None:
        upi_app = "gpay" if method == "upi" else None
        self.payment = Payment.initiate("client-1", "plan", "plan-1", PRICE, method, upi_app, T0)
        self.events = list(self.payment.collect_events())
        self.ticks = 0
        self.was_settled = False
        self.refunded_before = 0

    def attempt(self, command: Callable[[datetime], None]) -> None:
        self.ticks += 1
        version = self.payment.version
        try:
            command(T0 + timedelta(minutes=self.ticks))
        except DomainError:
            assert self.payment.version == version, "a refused command recorded an event"
        self.events.extend(self.payment.collect_events())

    @rule(order=gateway_ids)
    def record_order(self, order: str) -> None:
        self.attempt(lambda at: self.payment.record_gateway_order(f"order_{order}", at))

    @rule(pay=gateway_ids)
    def authorize(self, pay: str) -> None:
        self.attempt(lambda at: self.payment.authorize(f"pay_{pay}", at))

    @rule(pay=gateway_ids, amount=amounts)
    def capture(self, pay: str, amount: int) -> None:
        self.attempt(lambda at: self.payment.capture(f"pay_{pay}", amount, at))

    @rule(pay=st.one_of(st.none(), gateway_ids))
    def fail(self, pay: str | None) -> None:
        self.attempt(lambda at: self.payment.fail("declined", pay and f"pay_{pay}", at))

    @rule()
    def retry(self) -> None:
        self.attempt(self.payment.retry)

    @rule(amount=refunds)
    def refund(self, amount: int | None) -> None:
        self.attempt(lambda at: self.payment.refund(amount, "requested", at))

    @rule(pay=gateway_ids, amount=amounts, currency=st.sampled_from(["INR", "INR", "USD"]))
    def gateway_reports_capture(self, pay: str, amount: int, currency: str) -> None:
        self.attempt(lambda at: self.check_mismatch_never_captures(
            self.payment.record_capture(f"pay_{pay}", amount, currency, at), amount, currency))

    def check_mismatch_never_captures(self, captured: bool, amount: int, currency: str) -> None:
        if amount != PRICE or currency != "INR":
            assert not captured or self.was_settled
        assert captured == (self.payment.status in SETTLED)

    @rule(refund_id=refund_ids, amount=refunds)
    def request_refund(self, refund_id: str, amount: int | None) -> None:
        self.attempt(lambda at: self.payment.request_refund(refund_id, amount, "asked", at))

    @rule(refund_id=refund_ids, gateway_refund=gateway_ids, amount=refunds.filter(bool))
    def gateway_refunds(self, refund_id: str, gateway_refund: str, amount: int) -> None:
        self.attempt(lambda at: self.payment.record_refund(f"rfnd_{gateway_refund}", amount,
                                                           refund_id, "refunded", at))

    @rule(refund_id=refund_ids)
    def gateway_fails_refund(self, refund_id: str) -> None:
        self.attempt(lambda at: self.payment.fail_refund(refund_id, None, "refused", at))

    @rule(dispute=gateway_ids, outcome=st.sampled_from([None, "won", "lost"]))
    def dispute(self, dispute: str, outcome: str | None) -> None:
        if outcome is None:
            self.attempt(lambda at: self.payment.open_dispute(f"disp_{dispute}", PRICE, at))
        else:
            self.attempt(lambda at: self.payment.close_dispute(f"disp_{dispute}", outcome, at))

    @invariant()
    def status_never_goes_back_from_captured(self) -> None:
        settled = self.payment.status in SETTLED
        assert settled or not self.was_settled
        self.was_settled = settled

    @invariant()
    def refunds_stay_within_the_capture_and_only_grow(self) -> None:
        captured = self.payment.captured.paise if self.payment.captured else 0
        assert self.refunded_before <= self.payment.refunded_paise <= captured
        self.refunded_before = self.payment.refunded_paise

    @invariant()
    def refunds_made_never_exceed_the_capture(self) -> None:
        """Money refunded never exceeds the capture. What we ask for fits what is left when we ask
        (`request_refund` refuses more); a refund made at the gateway that we did not start is a
        fact all the same, and may leave an earlier request asking more than is left: the gateway
        then refuses that request (`RefundFailed`)."""
        captured = self.payment.captured.paise if self.payment.captured else 0
        assert self.payment.refunded_paise <= captured

    @invariant()
    def there_are_at_most_three_attempts(self) -> None:
        assert 1 <= self.payment.attempts <= MAX_ATTEMPTS

    @invariant()
    def the_chain_verifies_as_written_and_as_read_back_from_the_store(self) -> None:
        chain = [chain_record(e) for e in self.events]
        assert verify_chain(chain)
        assert chain[-1]["hash"] == self.payment.chain_head
        stored = [chain_record(MAPPER.to_domain_event(MAPPER.to_stored_event(e))) for e in self.events]
        assert stored == chain

    @invariant()
    def replaying_the_events_gives_the_same_state_directly_and_through_the_store(self) -> None:
        for events in (self.events, [MAPPER.to_domain_event(MAPPER.to_stored_event(e)) for e in self.events]):
            replayed = None
            for domain_event in events:
                replayed = domain_event.mutate(replayed)
            assert vars(replayed) == vars(self.payment)


PaymentMachine.TestCase.settings = settings(max_examples=100, stateful_step_count=30, deadline=None)
TestRandomCommandSequencesKeepEveryPaymentInvariant = PaymentMachine.TestCase
