"""A staff member's relationship with a client: what lets a trainer or nutritionist read, watch
and plan for that client, and only with the client's consent (or an admin's decision).

One pair (client, staff) has one relationship at a time: its id derives from the pair and a
generation number, so two invitations racing for the same pair write the same aggregate and only
one of them is recorded. A pair's next relationship, after one ended or was declined, is the
next generation.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import InvalidValue, RuleViolation
from domain.values import MAX_ID, Actor, Role, require_text

NAMESPACE = UUID("0c4f6f3e-3a55-4f7e-8e0e-5b3f6c2d9a11")
STAFF_ROLES = frozenset({Role.TRAINER, Role.NUTRITIONIST})

INVITED, ACTIVE, DECLINED, ENDED = "invited", "active", "declined", "ended"
LIVE = frozenset({INVITED, ACTIVE})  # a pair has at most one relationship in these states
# How a relationship started: the client accepted an invitation, bought one of the staff member's
# plans, an admin started it, or it was carried over from plans assigned before consent existed.
INVITATION, PURCHASE, ADMIN, CARRIED_OVER = "invitation", "purchase", "admin", "carried_over"
ORIGINS = frozenset({PURCHASE, ADMIN, CARRIED_OVER})  # the ways that start one at once


def relationship_id(client_id: str, staff_id: str, generation: int) -> UUID:
    return uuid5(NAMESPACE, f"{client_id}\x1f{staff_id}\x1f{generation}")


class Relationship(Aggregate):
    """A client and a staff member: invited, then active or declined; active until either side
    or an admin ends it."""

    class Created(Aggregate.Created):
        client_id: str
        staff_id: str
        staff_role: str
        generation: int
        status: str
        origin: str | None
        by: str
        at: datetime

    class Accepted(Aggregate.Event):
        origin: str
        at: datetime

    class Declined(Aggregate.Event):
        at: datetime

    class Ended(Aggregate.Event):
        by: str
        by_role: str
        at: datetime

    @staticmethod
    def create_id(client_id: str, staff_id: str, generation: int) -> UUID:  # type: ignore[override]
        return relationship_id(client_id, staff_id, generation)

    @event(Created)
    def __init__(self, client_id: str, staff_id: str, staff_role: str, generation: int, status: str,
                 origin: str | None, by: str, at: datetime) -> None:
        self.client_id, self.staff_id, self.staff_role = client_id, staff_id, staff_role
        self.generation = generation
        self.status = status
        self.origin = origin
        self.created_by = by
        self.since = at
        self.ended_by: str | None = None
        self.ended_by_role: str | None = None

    @classmethod
    def invite(cls, staff: Actor, client_id: str, generation: int, at: datetime) -> Relationship:
        """A trainer or nutritionist invites a client; nothing is shared until the client accepts."""
        client_id = _pair(client_id, staff.uid, staff.role)
        return cls(client_id=client_id, staff_id=staff.uid, staff_role=staff.role.value,
                   generation=generation, status=INVITED, origin=None, by=staff.uid, at=at)

    @classmethod
    def start(cls, client_id: str, staff_id: str, staff_role: Role, generation: int, origin: str,
              by: str, at: datetime) -> Relationship:
        """Starts one at once: by a purchase, an admin, or carried over."""
        if origin not in ORIGINS:
            raise InvalidValue("origin", "must be purchase, admin or carried_over")
        client_id = _pair(client_id, staff_id, staff_role)
        return cls(client_id=client_id, staff_id=staff_id, staff_role=staff_role.value,
                   generation=generation, status=ACTIVE, origin=origin, by=by, at=at)

    @property
    def is_live(self) -> bool:
        return self.status in LIVE

    def is_side(self, actor: Actor) -> bool:
        return actor.uid in (self.client_id, self.staff_id)

    def accept(self, client: Actor, at: datetime, origin: str = INVITATION) -> None:
        """The invited client consents; accepting again changes nothing."""
        if self.status == ACTIVE:
            return
        self._require_invited(client, "accept")
        self._accepted(origin=origin, at=at)

    def consent(self, origin: str, at: datetime) -> None:
        """A pending invitation taken as consented (a purchase, an admin); active stays active."""
        if self.status == ACTIVE:
            return
        if self.status != INVITED or origin not in ORIGINS:
            raise RuleViolation(f"cannot start a relationship that is {self.status}")
        self._accepted(origin=origin, at=at)

    @event(Accepted)
    def _accepted(self, origin: str, at: datetime) -> None:
        self.status, self.origin, self.since = ACTIVE, origin, at

    def decline(self, client: Actor, at: datetime) -> None:
        """The invited client refuses; declining again changes nothing."""
        if self.status == DECLINED:
            return
        self._require_invited(client, "decline")
        self._declined(at=at)

    @event(Declined)
    def _declined(self, at: datetime) -> None:
        self.status, self.since = DECLINED, at

    def end(self, actor: Actor, at: datetime) -> None:
        """Either side or an admin ends it; access ends with it. Ending again changes nothing."""
        if self.status == ENDED:
            return
        if not (actor.is_admin or actor.role is Role.SYSTEM or self.is_side(actor)):
            raise RuleViolation("only the client, the staff member or an admin may end it")
        if self.status != ACTIVE:
            raise RuleViolation(f"only an active relationship can be ended; this one is {self.status}")
        self._ended(by=actor.uid, by_role=actor.role.value, at=at)

    @event(Ended)
    def _ended(self, by: str, by_role: str, at: datetime) -> None:
        self.status, self.ended_by, self.ended_by_role, self.since = ENDED, by, by_role, at

    def _require_invited(self, client: Actor, action: str) -> None:
        if client.uid != self.client_id:
            raise RuleViolation(f"only the invited client may {action} an invitation")
        if self.status != INVITED:
            raise RuleViolation(f"cannot {action}: the invitation is {self.status}")


def _pair(client_id: str, staff_id: str, staff_role: Role) -> str:
    client_id = require_text("client_id", client_id, MAX_ID)
    if staff_role not in STAFF_ROLES:
        raise InvalidValue("staff_role", "must be trainer or nutritionist")
    if client_id == staff_id:
        raise InvalidValue("client_id", "a staff member cannot be their own client")
    return client_id
