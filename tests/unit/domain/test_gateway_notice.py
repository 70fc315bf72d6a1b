"""A webhook delivery is kept once per gateway event id, with what we made of it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.errors import InvalidValue
from domain.gateway_notice import GatewayNotice, notice_id
from infrastructure.eventstore.log import EventLog

T0 = datetime(2026, 11, 1, tzinfo=UTC)
MAPPER = EventLog(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}).mapper


def test_a_notice_takes_its_id_from_the_gateway_event_id() -> None:
    first = GatewayNotice.receive("evt_1", "payment.captured", "processed", T0, payment_id="p-1")
    again = GatewayNotice.receive("evt_1", "payment.captured", "processed", T0)
    assert first.id == again.id == notice_id("evt_1") != notice_id("evt_2")


def test_a_notice_survives_the_store_mapper() -> None:
    notice = GatewayNotice.receive("evt_1", "payment.captured", "unmatched", T0, gateway_order_id="order_9",
                                   amount_paise=499, currency="INR")
    (received,) = notice.collect_events()
    loaded = MAPPER.to_domain_event(MAPPER.to_stored_event(received))
    assert vars(loaded.mutate(None)) == vars(notice)


def test_an_unknown_outcome_is_invalid() -> None:
    with pytest.raises(InvalidValue):
        GatewayNotice.receive("evt_1", "payment.captured", "maybe", T0)
