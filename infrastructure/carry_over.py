"""The upgrade step that keeps what plan assignments implied before relationships existed.

Before consent, assigning a published plan related its author to the client until the plan was
archived. At init, every (author, client) pair of a trainer's or nutritionist's plan that is
not archived, and that never had a relationship, gets a carried-over one: nothing is lost. The
step reads only the plans' events, and is idempotent (each pair's first relationship has a fixed
id), so it may run at every init.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import structlog
from eventsourcing.utils import get_topic

from application.aggregates import Aggregates
from application.context import CommandContext
from application.lifecycle import system_actor
from application.relationships import Relationships
from domain.plan import Plan
from domain.relationship import STAFF_ROLES, relationship_id
from domain.values import Role
from infrastructure.eventstore.log import EventLog

log = structlog.get_logger("gymgenius.carry_over")
TOPICS = [get_topic(t) for t in (Plan.Created, Plan.GenerationRequested, Plan.Assigned, Plan.Archived)]
BATCH = 1000


def implied_pairs(log_: EventLog) -> dict[tuple[str, str], tuple[Role, datetime]]:
    """(client, staff) -> (staff role, first assigned at), for plans not archived."""
    authors: dict[Any, tuple[str, Role]] = {}
    assigned: dict[Any, dict[str, datetime]] = {}
    for event in _plan_events(log_):
        match event:
            case Plan.Created():
                authors[event.originator_id] = (event.author_id, Role(event.author_role))
            case Plan.Assigned():
                assigned.setdefault(event.originator_id, {}).setdefault(event.client_id, event.at)
            case Plan.Archived():
                assigned.pop(event.originator_id, None)
    pairs: dict[tuple[str, str], tuple[Role, datetime]] = {}
    for plan_id, clients in assigned.items():
        staff, role = authors.get(plan_id, ("", Role.CLIENT))
        for client, at in clients.items():
            if role in STAFF_ROLES and client != staff:
                pairs.setdefault((client, staff), (role, at))
    return pairs


def _plan_events(log_: EventLog) -> Iterator[Any]:
    start = 1
    while batch := log_.recorder.select_notifications(start, BATCH, topics=TOPICS):
        for notification in batch:
            yield log_.mapper.to_domain_event(notification)
        start = batch[-1].id + 1


def carry_over_assignments(log_: EventLog, clock: Callable[[], datetime]) -> int:
    """Records the carried-over relationships; answers how many were recorded."""
    relationships, actor = Relationships(Aggregates(log_)), system_actor("carry-over")
    recorded = 0
    for (client, staff), (role, at) in sorted(implied_pairs(log_).items()):
        key = f"carry-over:{relationship_id(client, staff, 0)}"
        ctx = CommandContext(actor, at, "carry-over", idempotency_key=key)
        recorded += relationships.carry_over(ctx, client, staff, role)
    if recorded:
        log.info("relationships_carried_over", count=recorded, at=clock().isoformat())
    return recorded
