"""Commands on staff-client relationships: staff invite, the client accepts or declines, an admin
starts one at once, either side (or an admin) ends it. A pair's relationship is found by walking
its generations (each one's id derives from the pair), so no read model is asked.

A new generation starts only once the one before is over, so at most one is live (invited or
active) and none follows a live one: the walk starts at the newest generation this process has
seen (generations only grow) and stops at a live one. Checking a related pair, as every chat
message does, costs one aggregate load."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from uuid import UUID

from application.aggregates import Aggregates
from application.context import CommandContext, CommandResult
from application.errors import Forbidden, VersionConflict
from domain.errors import InvalidValue, RuleViolation
from domain.relationship import (
    ACTIVE,
    ADMIN,
    CARRIED_OVER,
    INVITATION,
    INVITED,
    STAFF_ROLES,
    Relationship,
    relationship_id,
)
from domain.values import Actor, Role

RoleOf = Callable[[str], Role | None]
PAIRS_REMEMBERED = 100_000  # newest generations kept per process (a forgotten pair walks from 0)


@dataclass(frozen=True)
class InviteClient:
    """Invite a client to let the caller (a trainer or nutritionist) read and plan for them."""

    client_id: str


@dataclass(frozen=True)
class AcceptInvitation:
    """The invited client consents: the relationship starts."""

    relationship_id: UUID
    expected_version: int | None = None


@dataclass(frozen=True)
class DeclineInvitation:
    """The invited client refuses the invitation."""

    relationship_id: UUID
    expected_version: int | None = None


@dataclass(frozen=True)
class StartRelationship:
    """An admin starts a relationship at once; the staff role is given or looked up."""

    client_id: str
    staff_id: str
    staff_role: Role | None = None


@dataclass(frozen=True)
class EndRelationship:
    """Either side, or an admin, ends a relationship; access ends with it."""

    relationship_id: UUID
    expected_version: int | None = None


class Relationships:
    """Handles relationship commands, and answers whether a staff member is a client's."""

    def __init__(self, aggregates: Aggregates, role_of: RoleOf | None = None) -> None:
        self.aggregates = aggregates
        self.role_of = role_of or (lambda uid: None)
        self._newest: OrderedDict[tuple[str, str], int] = OrderedDict()  # pair -> newest generation seen
        self._guard = threading.Lock()

    def current(self, client_id: str, staff_id: str, *,
                checked_within: float = 0.0) -> tuple[int, Relationship | None]:
        """The pair's latest relationship (if any), and the generation its next one would take
        (`checked_within`: as the store's `latest`, for a live one this process has seen)."""
        pair = (client_id, staff_id)
        with self._guard:
            generation = self._newest.get(pair, 0)
        found = None
        while isinstance(rel := self.aggregates.store.latest(
                relationship_id(client_id, staff_id, generation), checked_within=checked_within),
                Relationship):
            found, generation = rel, generation + 1
            if rel.is_live:  # no generation follows a live one
                break
        if found is not None:
            self._remember(pair, generation - 1)
        return generation, found

    def _remember(self, pair: tuple[str, str], generation: int) -> None:
        with self._guard:
            if self._newest.get(pair, -1) < generation:
                self._newest[pair] = generation
            self._newest.move_to_end(pair)
            while len(self._newest) > PAIRS_REMEMBERED:
                self._newest.popitem(last=False)

    def is_active(self, client_id: str, staff_id: str, *, checked_within: float = 0.0) -> bool:
        found = self.current(client_id, staff_id, checked_within=checked_within)[1]
        return found is not None and found.status == ACTIVE

    def invite(self, ctx: CommandContext, cmd: InviteClient) -> CommandResult:
        """A pending invitation is answered again; an active relationship is a conflict."""

        def decide() -> Relationship:
            generation, found = self.current(cmd.client_id, ctx.actor.uid)
            if found is not None and found.status == INVITED:
                return found
            if found is not None and found.status == ACTIVE:
                raise RuleViolation("this client is already yours")
            return Relationship.invite(ctx.actor, cmd.client_id, generation, ctx.at)

        return _once_more_on_conflict(lambda: self.aggregates.execute(ctx, decide, created=True))

    def accept(self, ctx: CommandContext, cmd: AcceptInvitation) -> CommandResult:
        return self.aggregates.change(
            ctx, Relationship, cmd.relationship_id, cmd.expected_version,
            lambda rel: invited(rel, ctx.actor).accept(ctx.actor, ctx.at, INVITATION))

    def decline(self, ctx: CommandContext, cmd: DeclineInvitation) -> CommandResult:
        return self.aggregates.change(
            ctx, Relationship, cmd.relationship_id, cmd.expected_version,
            lambda rel: invited(rel, ctx.actor).decline(ctx.actor, ctx.at))

    def end(self, ctx: CommandContext, cmd: EndRelationship) -> CommandResult:
        return self.aggregates.change(
            ctx, Relationship, cmd.relationship_id, cmd.expected_version,
            lambda rel: side_or_admin(rel, ctx.actor).end(ctx.actor, ctx.at))

    def start(self, ctx: CommandContext, cmd: StartRelationship) -> CommandResult:
        return self.begin(ctx, cmd.client_id, cmd.staff_id, cmd.staff_role, ADMIN)

    def begin(self, ctx: CommandContext, client_id: str, staff_id: str, staff_role: Role | None,
              origin: str) -> CommandResult:
        """Starts the pair's relationship at once (an invitation pending is taken as consented);
        one already active is answered as it is."""

        def decide() -> Relationship:
            generation, found = self.current(client_id, staff_id)
            if found is not None and found.is_live:
                found.consent(origin, ctx.at)
                return found
            role = staff_role or _known_role(found) or self.role_of(staff_id)
            if role is None:
                raise InvalidValue("staff_role", "the staff member's role is not known: give it")
            return Relationship.start(client_id, staff_id, role, generation, origin, ctx.actor.uid, ctx.at)

        return _once_more_on_conflict(lambda: self.aggregates.execute(ctx, decide, created=True))


    def carry_over(self, ctx: CommandContext, client_id: str, staff_id: str, staff_role: Role) -> bool:
        """A pair a plan assignment related before consent existed, and that never had a
        relationship, gets one (its first generation); answers whether one was recorded."""
        if self.aggregates.store.latest(relationship_id(client_id, staff_id, 0)) is not None:
            return False
        try:
            self.aggregates.execute(ctx, lambda: Relationship.start(
                client_id, staff_id, staff_role, 0, CARRIED_OVER, ctx.actor.uid, ctx.at), created=True)
        except VersionConflict:
            return False
        return True


def invited(rel: Relationship, actor: Actor) -> Relationship:
    if actor.uid != rel.client_id:
        raise Forbidden("only the invited client may answer an invitation")
    return rel


def side_or_admin(rel: Relationship, actor: Actor) -> Relationship:
    if not (actor.is_admin or rel.is_side(actor)):
        raise Forbidden("only the client, the staff member or an admin may end a relationship")
    return rel


def _known_role(found: Relationship | None) -> Role | None:
    if found is None:
        return None
    role = Role(found.staff_role)
    return role if role in STAFF_ROLES else None


def _once_more_on_conflict(run: Callable[[], CommandResult]) -> CommandResult:
    """Two commands racing for the same pair write the same id: the loser decides again, on
    what the winner recorded."""
    try:
        return run()
    except VersionConflict:
        return run()
