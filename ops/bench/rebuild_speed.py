"""Full rebuild speed: the workout-sessions read model rebuilt from 100,000+ events (the server
profile's scratch-schema rebuild and swap), against plain batched INSERTs of the same rows.

The events are interleaved as real traffic is (round by round every session gets its next
event), so each batch of 500 events touches about 500 rows: the rebuild writes about one row
image per event. The baseline INSERTs exactly those row images, batch by batch, one transaction
per batch, into an identical table; it reads, decodes and folds nothing.
"""

from __future__ import annotations

import time
import uuid
from collections import defaultdict
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, event, insert, text

from domain.workout_session import WorkoutSession
from infrastructure.bootstrap import System
from infrastructure.event_source import EventLogSource
from infrastructure.readstore import sync_engine
from projections import rows as engine
from projections.model import Row
from projections.workout_sessions import WorkoutSessionsModel, sessions

NAME = WorkoutSessionsModel.name


def generate(system: System, count: int, sets: int, chunk: int = 500) -> int:
    """`count` sessions: started, `sets` sets each, completed; saved `chunk` aggregates at a time."""
    now = datetime.now(UTC)
    live = [WorkoutSession.start(f"bench-{n % 64}", None, "bench", now) for n in range(count)]
    _save(system, live, chunk)
    for k in range(sets):
        for session in live:
            session.log_set(f"lift {k % 3}", 5, Decimal("80"), Decimal(7), now)
        _save(system, live, chunk)
    for session in live:
        session.complete(now)
    _save(system, live, chunk)
    return system.projections.source.head()


def _save(system: System, aggregates: list[WorkoutSession], chunk: int) -> None:
    for start in range(0, len(aggregates), chunk):
        system.log.save(*aggregates[start:start + chunk])


class Clock:
    """Wall time per part of the rebuild: reading and decoding, folding, and each SQL verb."""

    def __init__(self) -> None:
        self.spent: defaultdict[str, float] = defaultdict(float)
        self.started: dict[int, float] = {}

    def timed(self, part: str, fn: Any) -> Any:
        def run(*args: Any, **kwargs: Any) -> Any:
            began = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.spent[part] += time.perf_counter() - began

        return run

    def watch(self, engine: Engine) -> None:
        @event.listens_for(engine, "before_cursor_execute")
        def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            self.started[id(cursor)] = time.perf_counter()

        @event.listens_for(engine, "after_cursor_execute")
        def after(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            verb = statement.lstrip().split(None, 1)[0].upper()
            self.spent[f"sql {verb}"] += time.perf_counter() - self.started.pop(id(cursor))


def timed_rebuild(system: System) -> tuple[float, dict[str, float]]:
    clock = Clock()
    service = system.projections
    source = service.projector.source
    source.read = clock.timed("read and decode events", source.read)  # type: ignore[method-assign]
    model = service.model(NAME)
    model.fold = clock.timed("fold (pure Python)", model.fold)  # type: ignore[method-assign]
    clock.watch(service.engine)
    loads, writes = engine.load_rows, engine.write_rows
    engine.load_rows = clock.timed("load rows (SELECT, rows to dicts)", loads)  # type: ignore[assignment]
    engine.write_rows = clock.timed("write rows (DELETE, INSERT)", writes)  # type: ignore[assignment]
    try:
        began = time.perf_counter()
        service.rebuild(NAME)
        return time.perf_counter() - began, dict(clock.spent)
    finally:
        engine.load_rows, engine.write_rows = loads, writes


def row_images(system: System, batch: int) -> list[list[Row]]:
    """The rows the rebuild writes, batch by batch, folded in memory from the same events."""
    source, model = EventLogSource(system.log), WorkoutSessionsModel()
    rows: dict[str, Row | None] = {}
    images: list[list[Row]] = []
    after = 0
    while events := source.read(after, batch):
        touched: dict[str, Row] = {}
        for position, found in events:
            if isinstance(found, model.event_types):
                key = model.key(found)
                rows[key] = touched[key] = model.fold(rows.get(key), found, position)  # type: ignore[assignment]
        images.append([{**row, "id": str(uuid.uuid4())} for row in touched.values()])
        after = events[-1][0]
    return images


def inserted(system: System, images: list[list[Row]]) -> float:
    """Seconds to INSERT the row images, one multi-row INSERT and one transaction per batch."""
    schema = f"{system.settings.database_schema}_insert"
    engine = sync_engine(system.settings.model_copy(update={"database_schema": schema}))
    try:
        with engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        sessions.create(engine)
        seq = 0
        for batch in images:
            for row in batch:
                seq += 1
                row["seq"] = seq
        began = time.perf_counter()
        for batch in images:
            with engine.begin() as conn:
                conn.execute(insert(sessions), batch)
        return time.perf_counter() - began
    finally:
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        engine.dispose()


def measure(system: System, count: int = 10_000, sets: int = 9) -> dict[str, Any]:
    began = time.perf_counter()
    events = generate(system, count, sets)
    generated_s = time.perf_counter() - began
    seconds, parts = timed_rebuild(system)
    images = row_images(system, system.projections.projector.batch_size)
    baseline_s = inserted(system, images)
    rows = sum(len(batch) for batch in images)
    outer = ("read and decode events", "fold (pure Python)", "load rows (SELECT, rows to dicts)",
             "write rows (DELETE, INSERT)", "sql UPDATE")
    other = seconds - sum(parts.get(part, 0.0) for part in outer)
    return {
        "events": events, "row_images": rows, "batches": len(images),
        "generate_s": round(generated_s, 2),
        "rebuild_s": round(seconds, 2), "rebuild_events_per_s": round(events / seconds),
        "insert_s": round(baseline_s, 2), "insert_rows_per_s": round(rows / baseline_s),
        "insert_events_per_s": round(events / baseline_s),
        "ratio": round(baseline_s / seconds, 3),
        "where_the_time_goes_s": {**{k: round(v, 2) for k, v in sorted(parts.items())},
                                  "the rest: commits, swap, glue": round(other, 2)},
    }
