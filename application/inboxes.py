"""Commands on a user's inbox: mark their notifications read, up to one or some by id.

Only the caller's own notifications count: `up_to` a notification that is not theirs (or not
known) is NotFound; `ids` that are not theirs are left out, so a repeat or a stale list is harmless.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from application.aggregates import Aggregates
from application.context import CommandContext, CommandResult
from application.errors import NotFound, VersionConflict
from domain.errors import InvalidValue
from domain.inbox import MAX_READ_AT_ONCE, Inbox, inbox_id

# (uid, notification ids) -> the order (`seq`) of each one that is that uid's
Lookup = Callable[[str, Sequence[str]], dict[str, int]]
ATTEMPTS = 5  # marks commute: a mark that lost a race (another device's) is simply made again


@dataclass(frozen=True)
class MarkReadUpTo:
    """Read every notification of the caller's up to this one (the newest they have seen)."""

    notification_id: str


@dataclass(frozen=True)
class MarkRead:
    """Read these notifications of the caller's."""

    notification_ids: tuple[str, ...]


class Inboxes:
    """Handles inbox commands; `lookup` finds the caller's notifications (in the read model)."""

    def __init__(self, aggregates: Aggregates, lookup: Lookup) -> None:
        self.aggregates, self.lookup = aggregates, lookup

    def read_up_to(self, ctx: CommandContext, cmd: MarkReadUpTo) -> CommandResult:
        found = self.lookup(ctx.actor.uid, [cmd.notification_id])
        if cmd.notification_id not in found:
            raise NotFound("notification", cmd.notification_id)
        return self._act(ctx, lambda inbox: inbox.mark_up_to(
            cmd.notification_id, found[cmd.notification_id], ctx.at))

    def read(self, ctx: CommandContext, cmd: MarkRead) -> CommandResult:
        if not 1 <= len(cmd.notification_ids) <= MAX_READ_AT_ONCE:
            raise InvalidValue("ids", f"must list 1 to {MAX_READ_AT_ONCE} notification ids")
        found = self.lookup(ctx.actor.uid, sorted(set(cmd.notification_ids)))
        return self._act(ctx, lambda inbox: inbox.mark(found, ctx.at))

    def _act(self, ctx: CommandContext, act: Callable[[Inbox], object]) -> CommandResult:
        """The caller's inbox (opened on first use), changed by `act` and recorded."""
        for _ in range(ATTEMPTS - 1):
            try:
                return self._once(ctx, act)
            except VersionConflict:
                continue
        return self._once(ctx, act)

    def _once(self, ctx: CommandContext, act: Callable[[Inbox], object]) -> CommandResult:
        def decide() -> Inbox:
            inbox = self.aggregates.store.latest(inbox_id(ctx.actor.uid))
            if not isinstance(inbox, Inbox):
                inbox = Inbox.open(ctx.actor.uid, ctx.at)
            act(inbox)
            return inbox

        return self.aggregates.execute(ctx, decide)
