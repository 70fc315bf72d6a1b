"""The auditors' fast reading of stored payment events (straight from their JSON) gives exactly
the records the domain events give, for chain-1 events stored long ago and chain-2 ones today."""

from __future__ import annotations

from uuid import UUID

from application.audit import ChainWalk, LoggedEvent, audit_record, published
from infrastructure.eventstore.audit_log import stored_record
from tests.unit.domain.test_stored_events import MAPPER, stored, the_same_stories_today


def test_old_and_new_payment_events_read_from_their_json_as_the_domain_reads_them() -> None:
    today = [MAPPER.to_stored_event(e) for e in the_same_stories_today()]
    for forms, events in ((1, stored()), (2, today)):
        payments = [s for s in events if ":Payment." in s.topic]
        assert payments
        for position, event in enumerate(payments, start=1):
            fast = published(stored_record(position, event))
            logged = LoggedEvent(position, UUID(str(event.originator_id)), event.originator_version,
                                 MAPPER.to_domain_event(event))
            slow = published(audit_record(logged))
            assert fast == slow and fast["chain"] == forms


def test_a_stored_event_that_no_longer_decodes_breaks_the_chain_where_it_stands() -> None:
    payments = [s for s in stored() if ":Payment." in s.topic]
    walk = ChainWalk()
    for position, event in enumerate(payments, start=1):
        if position == 3:
            event = type(event)(event.originator_id, event.originator_version, event.topic, b"{not json")
        walk.step(stored_record(position, event))
    ((_, (position, why)),) = walk.broken.items()
    assert position == 3 and "cannot be read" in why
