"""Group commit: the events of concurrent commands written in one transaction at a time.

Every write to the event log takes the table's lock (that is what keeps commit order equal to
position order), so commands written one transaction each queue behind one another. Here one
thread writes whatever commands are waiting, all in one transaction: one lock, one commit.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from queue import Empty, SimpleQueue

from eventsourcing.persistence import IntegrityError, StoredEvent
from psycopg.errors import PipelineAborted

from application.idempotency import IdempotencyClaim

Insert = Callable[[list[StoredEvent], list[IdempotencyClaim]], Sequence[int] | None]


@dataclass
class PendingWrite:
    """One command's events and idempotency claims, and the positions they will get."""

    stored_events: Sequence[StoredEvent]
    claims: Sequence[IdempotencyClaim]
    positions: Future[list[int]] = field(default_factory=Future)


class GroupCommitter:
    """Writes the waiting commands in one transaction per round, in a thread of its own.

    A round that meets a conflict (a stale version, an idempotency key already claimed) is
    written again one command at a time, so that only the conflicting command fails.
    """

    def __init__(self, insert: Insert, max_batch: int = 256) -> None:
        self.insert, self.max_batch = insert, max_batch
        self.transactions = 0  # how many transactions were committed, for tests and metrics
        self.commands = 0  # how many commands those transactions held
        self._queue: SimpleQueue[PendingWrite | None] = SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._closed = False

    def write(self, stored_events: Sequence[StoredEvent], claims: Sequence[IdempotencyClaim]) -> list[int]:
        """Waits until the events are committed (or refused) and answers their positions."""
        pending = PendingWrite(stored_events, claims)
        with self._lock:
            if self._closed:
                self._write([pending])
            else:
                self._start()
                self._queue.put(pending)
        return pending.positions.result()

    def waiting(self) -> int:
        return self._queue.qsize()

    def close(self) -> None:
        """Writes what is waiting, then stops; later writes go straight to the store."""
        with self._lock:
            self._closed, thread = True, self._thread
            self._queue.put(None)
        if thread is not None:
            thread.join()

    def _start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="group-commit", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while batch := self._next_batch():
            self._write(batch)

    def _next_batch(self) -> list[PendingWrite]:
        first = self._queue.get()
        batch = [first] if first is not None else []
        while batch and len(batch) < self.max_batch:
            try:
                pending = self._queue.get_nowait()
            except Empty:
                break
            if pending is None:
                self._queue.put(None)  # stop after this round
                break
            batch.append(pending)
        return batch

    def _write(self, batch: list[PendingWrite]) -> None:
        try:
            positions = list(self.insert(
                [e for p in batch for e in p.stored_events], [c for p in batch for c in p.claims]
            ) or [])
        except Exception as error:  # noqa: BLE001 - a conflict, or every waiting command raises it
            conflict = _conflict(error)
            if conflict is not None and len(batch) > 1:
                for pending in batch:  # only the stale or repeated command fails
                    self._write([pending])
                return
            for pending in batch:
                pending.positions.set_exception(conflict or error)
            return
        self.transactions, self.commands = self.transactions + 1, self.commands + len(batch)
        for pending in batch:
            taken = len(pending.stored_events)
            pending.positions.set_result(positions[:taken])
            positions = positions[taken:]


def _conflict(error: BaseException) -> IntegrityError | None:
    """The write conflicted: an integrity error, or (psycopg's pipeline mode) the transaction
    aborted by a uniqueness violation of one of its statements, reported as `PipelineAborted`."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, IntegrityError):
            return seen
        if isinstance(seen, PipelineAborted):
            return IntegrityError(str(error))
        seen = seen.__cause__ or seen.__context__
    return None
