"""Recently committed aggregates, kept so that the next command need not replay their events."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from copy import deepcopy
from uuid import UUID

from eventsourcing.domain import Aggregate


class CommittedAggregates:
    """The last committed state of the most recently used aggregates, at most `size` of them.

    A kept aggregate is never changed again: every reader gets its own copy, and a newer
    commit replaces it. The copy may be behind the store (another process wrote since), so
    the reader still reads the events after its version, unless it accepts a copy confirmed
    against the store recently enough (`checked_within`).
    """

    def __init__(self, size: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.size, self.clock = size, clock
        self._kept: OrderedDict[UUID, tuple[Aggregate, float]] = OrderedDict()
        self._lock = threading.Lock()

    def copy_of(self, aggregate_id: UUID, checked_within: float = 0.0) -> tuple[Aggregate | None, bool]:
        """A copy of the kept aggregate (None if none), and whether it was written or confirmed
        as the store's latest by this process less than `checked_within` seconds ago."""
        with self._lock:
            found = self._kept.get(aggregate_id)
            if found is not None:
                self._kept.move_to_end(aggregate_id)
        if found is None:
            return None, False
        kept, checked = found
        return deepcopy(kept), self.clock() - checked < checked_within

    def confirm(self, aggregate_id: UUID, version: int) -> None:
        """The store was read and had nothing newer than `version`: the kept copy is fresh now."""
        with self._lock:
            found = self._kept.get(aggregate_id)
            if found is not None and found[0].version == version:
                self._kept[aggregate_id] = (found[0], self.clock())

    def keep(self, aggregate: Aggregate) -> None:
        """Takes a just-committed aggregate; the caller must not change it afterwards."""
        if self.size <= 0:
            return
        now = self.clock()
        with self._lock:
            found = self._kept.get(aggregate.id)
            if found is None or found[0].version < aggregate.version:
                self._kept[aggregate.id] = (aggregate, now)
            self._kept.move_to_end(aggregate.id)
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)
