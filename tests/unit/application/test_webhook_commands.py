"""The webhook command on the in-memory store: signature first, then one notice per event id."""

from __future__ import annotations

import json

import pytest

from application.errors import BadSignature, MalformedNotice
from application.gateway_events import GatewayEvents, HandleGatewayEvent
from domain.gateway_notice import GatewayNotice, notice_id
from domain.values import Role
from infrastructure.razorpay.gateway import RazorpayGateway
from infrastructure.razorpay.sandbox.webhooks import sign
from tests.unit.application.given import Handlers, ctx

SECRET, PREVIOUS = "current-webhook-secret", "previous-webhook-secret"
GATEWAY = RazorpayGateway("rzp_test_unit", "unit-secret", "http://127.0.0.1:9", [SECRET, PREVIOUS])
EVENT = json.dumps({"event": "invoice.paid", "payload": {"invoice": {"entity": {"id": "inv_1"}}}}).encode()


def handle(handlers: Handlers, body: bytes, signature: str | None, event_id: str | None = "evt_1") -> str:
    events = GatewayEvents(handlers.log, GATEWAY)
    return events.handle(ctx("razorpay", Role.SYSTEM), HandleGatewayEvent(event_id, body, signature))


def test_a_body_signed_with_the_current_or_previous_secret_is_taken_once(handlers: Handlers) -> None:
    assert handle(handlers, EVENT, sign(EVENT, PREVIOUS)) == "ignored"
    assert handle(handlers, EVENT, sign(EVENT, SECRET)) == "duplicate"
    notice = handlers.log.latest(notice_id("evt_1"))
    assert isinstance(notice, GatewayNotice) and notice.outcome == "ignored"


@pytest.mark.parametrize("signature", [None, "", sign(EVENT, "another-secret"), sign(EVENT + b" ", SECRET)])
def test_an_unsigned_or_wrongly_signed_body_is_refused_and_writes_nothing(handlers: Handlers, signature):
    with pytest.raises(BadSignature):
        handle(handlers, EVENT, signature)
    assert handlers.recorded() == 0


@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"payload": {}}', b'{"event": 1}'])
def test_a_signed_body_that_is_no_gateway_event_is_refused_and_writes_nothing(handlers: Handlers, body):
    with pytest.raises(MalformedNotice):
        handle(handlers, body, sign(body, SECRET))
    with pytest.raises(MalformedNotice):
        handle(handlers, EVENT, sign(EVENT, SECRET), event_id=None)
    assert handlers.recorded() == 0
