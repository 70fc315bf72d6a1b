"""What a read model is: a pure fold of events into rows, plus how a row is shown and pushed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from sqlalchemy import Connection, Table

Row = dict[str, Any]


@dataclass(frozen=True)
class Change:
    """A read-model row that a committed batch changed, to be pushed to its rooms."""

    event: str
    id: str
    position: int
    rooms: tuple[str, ...]
    data: dict[str, Any]
    ends_access: tuple[str, str] | None = None  # (staff, client): leave the client's live rooms
    fields: tuple[tuple[str, str], ...] = ()  # more top-level fields of the push ("conversation_id")


class EventSource(Protocol):
    """The event store's log, as a projection reads it: events after a position, in order."""

    def read(self, after: int, limit: int) -> Sequence[tuple[int, Any]]: ...

    def head(self) -> int: ...


class Pusher(Protocol):
    def push(self, changes: Sequence[Change]) -> None: ...


class ReadModel:
    """A read model: one main table keyed by `id`, folded from its aggregate's events.

    `fold` is pure (row in, row out), so the engine can load, fold and write a whole batch at once.
    """

    name: ClassVar[str]
    table: ClassVar[Table]
    child_table: ClassVar[Table | None] = None
    created_by: ClassVar[type]
    event_types: ClassVar[tuple[type, ...]]
    push_event: ClassVar[str]
    # Caught up in a lane of its own on every wake-up, never behind the other read models: for
    # one whose pushes somebody is waiting on live (a chat message on the other side's screen).
    hot: ClassVar[bool] = False

    def prepare(self, conn: Connection, events: Sequence[tuple[int, Any]]) -> None:
        """Reads what `key` needs before a batch is folded (a read model keyed by something its
        events do not all carry); most need nothing."""

    def key(self, event: Any) -> str:
        return str(event.originator_id)

    def fold(self, row: Row | None, event: Any, position: int) -> Row | None:
        """The row after the event: made by the creating event, changed by every later one."""
        if isinstance(event, self.created_by):
            row = self.create(event, position)
        elif row is None:
            raise LookupError(f"no {self.name} row {event.originator_id} for {type(event).__name__}")
        else:
            row = {**row, **self.change(row, event)}
        return {**row, "version": event.originator_version, "position": position}

    def create(self, event: Any, position: int) -> Row:
        raise NotImplementedError

    def change(self, row: Row, event: Any) -> Row:
        """The columns an event changes."""
        raise NotImplementedError

    def out(self, row: Row) -> dict[str, Any]:
        """The row as the query API shows it."""
        raise NotImplementedError

    def rooms(self, row: Row) -> tuple[str, ...]:
        return ()

    def changes(self, row: Row) -> list[Change]:
        """What a changed row pushes: by default the row as shown, to all its rooms."""
        return [Change(self.push_event, str(row["id"]), int(row["position"]), self.rooms(row),
                       self.out(row))]

    def children(self, row: Row) -> list[Row]:
        """Rows of `child_table` (keyed by `parent_id`) that this row implies, replaced wholesale."""
        return []
