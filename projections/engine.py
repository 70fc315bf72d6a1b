"""Catch-up: one owner at a time reads events after its position, folds them, and commits the
rows and the new position in one transaction; pushes go out only after the commit.

An event whose rows cannot be folded or written is that event's dead letter while live: a batch
the database refuses is rolled back and taken again in a savepoint, then event by event, each in
its own savepoint, so only the refused one is set aside. A rebuild never sets an
event aside: it stops with a `PoisonEvent` that names it.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass

import structlog
from sqlalchemy import ColumnElement, Connection, Engine, select, update

from projections import rows as bulk
from projections.model import EventSource, Pusher, ReadModel, Row
from projections.rows import OUTAGES, REFUSALS, Event, Failure, PoisonEvent, RebuildBuffer
from projections.schema import positions
from projections.tracking import record_dead_letter, tracked_position

__all__ = ["Hooks", "Outcome", "PoisonEvent", "Projector"]

log = structlog.get_logger("gymgenius.projections")
Lock = Callable[[Connection, str], bool]


@dataclass
class Outcome:
    applied: int = 0
    busy: bool = False
    position: int = 0
    at_head: bool = False  # its last read found fewer events than a batch: none were left then


@dataclass
class Hooks:
    """Observability hooks (metrics) the engine calls; infrastructure fills them in."""

    on_busy: Callable[[str], None] = lambda name: None
    on_applied: Callable[[str, int, int], None] = lambda name, count, position: None
    on_dead_letter: Callable[[str], None] = lambda name: None


def _never(conn: Connection, name: str) -> bool:
    return False


class Projector:
    """Applies batches of events to read models. `lock` takes a projection's lock within a
    transaction (or says it is busy), `wait` waits briefly for a busy one; infrastructure hands
    both in (none: one process owns the read models, as in the embedded profile)."""

    def __init__(
        self, engine: Engine, source: EventSource, pusher: Pusher, *,
        batch_size: int = 500, rebuild_batch_size: int = 5000, hooks: Hooks | None = None,
        lock: Lock | None = None, wait: Lock = _never, row_lock: ColumnElement[bool] | None = None,
    ) -> None:
        self.engine, self.source, self.pusher = engine, source, pusher
        self.batch_size, self.rebuild_batch_size = batch_size, rebuild_batch_size
        self.hooks = hooks or Hooks()
        self.lock, self.wait = lock or (lambda conn, name: True), wait
        self.row_lock = row_lock  # `lock` as a condition on a projection_positions row
        self._local: defaultdict[str, threading.Lock] = defaultdict(threading.Lock)
        self._again: set[str] = set()

    def batch_for(self, live: bool) -> int:
        """Live batches stay small for freshness; rebuilds fold bigger ones, writing rows less."""
        return self.batch_size if live else self.rebuild_batch_size

    @contextmanager
    def holding(self, name: str) -> Iterator[None]:
        """This process's hold on a projection: live batches wait while a rebuild in place runs."""
        with self._local[name]:
            yield

    def catch_up(self, model: ReadModel) -> Outcome:
        """Brings a read model up to the head of the log, batch by batch. A wake-up that came
        while this thread held the projection runs here once more, so none is lost."""
        total = Outcome()
        while True:
            step = self.step(model)
            total.applied += step.applied
            total.busy, total.position, total.at_head = step.busy, step.position, step.at_head
            if step.busy:
                return total
            if step.applied < self.batch_size and not self._woken(model.name):
                return total

    def settle_unconcerned(self, models: Sequence[ReadModel]) -> dict[str, Outcome]:
        """The read models the next events do not concern, done without a batch each: one read
        of their positions and of the events after the lowest, then one guarded write moving
        those with only unconcerned events past them. Answers the models now at the head of
        what was read; the others need a batch.

        The write moves only a model whose lock is free (a holder's batch would write its own,
        older position after) and that is still where it was seen, so each event is counted
        applied once.
        """
        if not models:
            return {}
        with self.engine.connect() as conn:
            found = dict(conn.execute(select(positions.c.name, positions.c.position).where(
                positions.c.name.in_([m.name for m in models]), positions.c.status == "live")).all())
        if len(found) < len(models):  # rebuilding, or never caught up: theirs is the batch's way
            models = [m for m in models if m.name in found]
        if not models:
            return {}
        lowest = min(int(found[m.name]) for m in models)
        events = self.source.read(lowest, self.batch_size)
        if len(events) >= self.batch_size:  # a backlog: batches are the way through it
            return {}
        head = events[-1][0] if events else lowest
        done: dict[str, Outcome] = {}
        moves: defaultdict[int, list[str]] = defaultdict(list)  # seen at -> names to move to head
        for model in models:
            seen = int(found[model.name])
            newer = [e for e in events if e[0] > seen]
            if not newer:
                done[model.name] = Outcome(position=seen, at_head=True)
            elif not bulk.relevant(model, newer):
                moves[seen].append(model.name)
        held = [self._local[n] for names in moves.values() for n in names]
        taken = [lock for lock in held if lock.acquire(blocking=False)]
        try:
            if len(taken) == len(held) and moves:  # else a batch of this process's is under way
                done |= self._move(moves, head, events)
        finally:
            for lock in taken:
                lock.release()
        for name, outcome in done.items():
            if outcome.applied:
                self.hooks.on_applied(name, outcome.applied, outcome.position)
        return done

    def _move(self, moves: dict[int, list[str]], head: int, events: Sequence[Event]) -> dict[str, Outcome]:
        """Moves each group of read models from the position they were seen at to `head`, those
        whose lock is free (its holder's batch would write an older position) and that are
        still where they were seen."""
        done: dict[str, Outcome] = {}
        with self.engine.begin() as conn:
            for seen, names in moves.items():
                where = [positions.c.name.in_(names), positions.c.position == seen,
                         positions.c.status == "live"]
                if self.row_lock is not None:
                    where.append(self.row_lock)
                moved = conn.execute(update(positions).where(*where).values(position=head)
                                     .returning(positions.c.name))
                applied = sum(1 for p, _ in events if p > seen)
                done |= {name: Outcome(applied=applied, position=head, at_head=True)
                         for name in moved.scalars()}
        return done

    def _woken(self, name: str) -> bool:
        if name in self._again:
            self._again.discard(name)
            return True
        return False

    def step(self, model: ReadModel) -> Outcome:
        local = self._local[model.name]
        if not local.acquire(blocking=False):
            self._again.add(model.name)
            return self._busy(model.name)
        try:
            return self._step(model, model.name)
        finally:
            local.release()

    def _busy(self, name: str) -> Outcome:
        self.hooks.on_busy(name)
        log.info("projection_lock_busy", projection=name)
        return Outcome(busy=True)

    def _step(self, model: ReadModel, name: str, careful: bool = False) -> Outcome:
        """A batch in one transaction; a batch the database refuses is rolled back whole and
        taken again carefully (in savepoints, to set the refused event aside)."""
        try:
            with self.engine.begin() as conn:
                if not self.lock(conn, name):
                    busy = self._busy(name)  # counted and logged even when the wait below succeeds
                    if not self.wait(conn, name):
                        return busy
                outcome, rows = self.apply_batch(conn, model, name, live=True, careful=careful)
        except REFUSALS as error:
            if careful or isinstance(error, OUTAGES):
                raise
            return self._step(model, name, careful=True)
        if outcome.applied:
            self.hooks.on_applied(name, outcome.applied, outcome.position)
        if rows:
            self.pusher.push([c for row in rows.values() if row is not None for c in model.changes(row)])
        return outcome

    def apply_batch(self, conn: Connection, model: ReadModel, name: str, live: bool,
                    buffer: RebuildBuffer | None = None, careful: bool = True,
                    ) -> tuple[Outcome, dict[str, Row | None]]:
        """Applies the next batch within the caller's transaction (which holds the lock).
        With a rebuild's buffer, rows are kept in memory and written when it is flushed.
        Not `careful`: the rows are written without a savepoint, and a refusal is the caller's."""
        after = tracked_position(conn, name)
        events = self.source.read(after, self.batch_for(live))
        if not events:
            return Outcome(position=after, at_head=True), {}
        last = events[-1][0]
        done = Outcome(applied=len(events), position=last, at_head=len(events) < self.batch_for(live))
        # The position first: on SQLite this write opens the transaction the savepoints nest in.
        conn.execute(update(positions).where(positions.c.name == name).values(position=last))
        mine = bulk.relevant(model, events)
        if not mine:  # nothing of this model's: the new position is all there is to write
            return done, {}
        if buffer is not None:
            return done, self._rebuild_batch(conn, model, name, mine, buffer)
        if not careful:
            return done, self._fold_and_write(conn, model, name, mine, savepoint=False)
        return done, self._live_batch(conn, model, name, mine)

    def _live_batch(self, conn: Connection, model: ReadModel, name: str,
                    events: Sequence[Event]) -> dict[str, Row | None]:
        try:
            return self._fold_and_write(conn, model, name, events)
        except REFUSALS as error:
            if isinstance(error, OUTAGES):
                raise
        touched: dict[str, Row | None] = {}
        for each in events:  # the database refused the batch: find the event it refuses
            try:
                touched.update(self._fold_and_write(conn, model, name, [each]))
            except REFUSALS as error:
                if isinstance(error, OUTAGES):
                    raise
                self._set_aside(conn, name, (*each, error))
        return touched

    def _fold_and_write(self, conn: Connection, model: ReadModel, name: str,
                        events: Sequence[Event], savepoint: bool = True) -> dict[str, Row | None]:
        """Folds and writes events (in a savepoint); events whose fold fails are dead-lettered."""
        with conn.begin_nested() if savepoint else nullcontext():
            model.prepare(conn, events)
            rows: dict[str, Row | None] = dict(bulk.load_rows(conn, model, bulk.keys_of(model, events)))
            touched, failed = bulk.fold(model, rows, events)
            bulk.write_rows(conn, model, touched)
        for failure in failed:
            self._set_aside(conn, name, failure)
        return touched

    def _set_aside(self, conn: Connection, name: str, failure: Failure) -> None:
        log.error("projection_dead_letter", projection=name, position=failure[0], error=repr(failure[2]))
        self.hooks.on_dead_letter(name)
        record_dead_letter(conn, name, failure)

    def _rebuild_batch(self, conn: Connection, model: ReadModel, name: str,
                       events: Sequence[Event], buffer: RebuildBuffer) -> dict[str, Row | None]:
        model.prepare(conn, events)
        keys = bulk.keys_of(model, events)
        buffer.rows.update(bulk.load_rows(conn, model, buffer.to_load(keys)))
        touched, failed = bulk.fold(model, buffer.rows, events)
        if failed:
            position, _, error = failed[0]
            raise PoisonEvent(f"{model.name} cannot apply position {position}: {error}") from error
        if len(buffer.rows) > buffer.limit:
            bulk.flush(conn, model, buffer)
        return touched

