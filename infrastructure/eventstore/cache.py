"""Recently committed aggregates, kept so that the next command need not replay their events."""

from __future__ import annotations

import threading
from collections import OrderedDict
from copy import deepcopy
from uuid import UUID

from eventsourcing.domain import Aggregate


class CommittedAggregates:
    """The last committed state of the most recently used aggregates, at most `size` of them.

    A kept aggregate is never changed again: every reader gets its own copy, and a newer
    commit replaces it. The copy may be behind the store (another process wrote since), so
    the reader still reads the events after its version.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._kept: OrderedDict[UUID, Aggregate] = OrderedDict()
        self._lock = threading.Lock()

    def copy_of(self, aggregate_id: UUID) -> Aggregate | None:
        with self._lock:
            kept = self._kept.get(aggregate_id)
            if kept is not None:
                self._kept.move_to_end(aggregate_id)
        return None if kept is None else deepcopy(kept)

    def keep(self, aggregate: Aggregate) -> None:
        """Takes a just-committed aggregate; the caller must not change it afterwards."""
        if self.size <= 0:
            return
        with self._lock:
            kept = self._kept.get(aggregate.id)
            if kept is None or kept.version < aggregate.version:
                self._kept[aggregate.id] = aggregate
            self._kept.move_to_end(aggregate.id)
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)
