"""Exactly-once projections on real PostgreSQL: redelivery, duplicate nudges, racing workers, poison.

Every scenario ends with the one check that covers every registered read model: the read models
equal a fresh rebuild from the event store.
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from decimal import Decimal
from typing import Any

import pytest
from eventsourcing.persistence import StoredEvent
from prometheus_client import REGISTRY
from sqlalchemy import BigInteger, Column, Integer, MetaData, String, Table, select

from application.workout_sessions import LogSet
from domain.workout_session import WorkoutSession
from infrastructure.bootstrap import System
from infrastructure.event_source import EventLogSource
from infrastructure.eventstore import event_store_env
from infrastructure.eventstore.log import EventLog
from infrastructure.locks import advisory_lock, wait_briefly
from infrastructure.metrics import projection_hooks
from infrastructure.nudges import nudge_message
from infrastructure.projection_runtime import ProjectionService
from projections.engine import Hooks, PoisonEvent, Projector
from projections.model import ReadModel, Row
from projections.progress import ProgressModel
from projections.workout_sessions import WorkoutSessionsModel
from tests.integration.command_stream import (
    CommandStream,
    assert_sessions_match_the_store,
    context,
)
from tests.integration.conftest import queued_nudges
from tests.read_models import Recorder, assert_matches_fresh_rebuild, caught_up, snapshot
from tests.support import running_worker, wait_until

SESSIONS = WorkoutSessionsModel.name


class Tally:
    """Wraps a projector's hooks: counts events applied and lock-busy refusals per projection."""

    def __init__(self, projector: Projector) -> None:
        self.applied: Counter[str] = Counter()
        self.busy: Counter[str] = Counter()
        self._lock = threading.Lock()
        inner = projector.hooks
        projector.hooks = Hooks(
            on_busy=lambda name: (self._count(self.busy, name, 1), inner.on_busy(name)),
            on_applied=lambda name, n, at: (self._count(self.applied, name, n),
                                            inner.on_applied(name, n, at)),
            on_dead_letter=inner.on_dead_letter,
        )

    def _count(self, counter: Counter[str], name: str, n: int) -> None:
        with self._lock:
            counter[name] += n


def lock_busy_metric(name: str) -> float:
    return REGISTRY.get_sample_value("gymgenius_projection_lock_busy_total", {"projection": name}) or 0.0


def stored_event_count(system: System) -> int:
    with system.log.recorder.datastore.get_connection() as conn:
        table = f"{system.settings.database_schema}.{system.log.recorder.events_table_name}"
        row = conn.execute(f"SELECT count(*) AS n FROM {table}").fetchone()
    return int(row["n"]) if row else 0


def some_commands(system: System, count: int) -> CommandStream:
    stream = CommandStream(system)
    for _ in range(count):
        stream.step()
    return stream


def test_a_batch_delivered_twice_at_the_same_position_is_applied_once(server_system):
    stream = some_commands(server_system, 40)
    service, model = server_system.projections, server_system.projections.model(SESSIONS)
    before = snapshot(service.engine)
    with service.engine.connect() as conn, conn.begin() as first:
        outcome, _ = service.projector.apply_batch(conn, model, SESSIONS, live=True)
        assert outcome.applied == server_system.projections.source.head()
        first.rollback()  # the first delivery dies before its commit
    assert snapshot(service.engine) == before
    assert service.projector.step(model).applied == outcome.applied
    service.catch_up_all()
    once = snapshot(service.engine)
    assert all(o.applied == 0 for o in service.catch_up_all().values())  # delivered again
    assert service.projector.step(model).applied == 0
    assert snapshot(service.engine) == once
    assert_sessions_match_the_store(server_system, stream)
    assert_matches_fresh_rebuild(server_system)


def test_a_second_delivery_racing_the_first_is_refused_by_the_lock_and_counted(server_system):
    some_commands(server_system, 25)
    model = server_system.projections.model(SESSIONS)
    first = server_system.projections.projector
    second = Projector(first.engine, EventLogSource(server_system.log), Recorder(),
                       hooks=projection_hooks(), lock=advisory_lock, wait=wait_briefly)
    tally, busy_before = Tally(second), lock_busy_metric(SESSIONS)
    with first.engine.connect() as conn, conn.begin():
        assert first.lock(conn, SESSIONS)
        held, _ = first.apply_batch(conn, model, SESSIONS, live=True)
        assert second.step(model).busy  # same position, while the first is uncommitted
    assert (tally.busy[SESSIONS], lock_busy_metric(SESSIONS) - busy_before) == (1, 1)
    assert second.step(model).applied == 0  # after the commit there is nothing left to apply
    assert held.applied == server_system.projections.source.head()
    server_system.projections.catch_up_all()
    assert_matches_fresh_rebuild(server_system)


def test_hundreds_of_nudges_for_one_event_apply_it_exactly_once(isolated_system):
    system = isolated_system
    tally = Tally(system.projections.projector)
    calls = Counter[str]()
    catch_up_all = system.projections.catch_up_all

    def counted(**only: Any) -> Any:
        calls["catch_up"] += 1
        return catch_up_all(**only)

    system.projections.catch_up_all = counted  # type: ignore[method-assign]
    spaced = system.catch_up.spaced

    def nudged() -> None:
        calls["nudge"] += 1
        spaced()

    system.catch_up.spaced = nudged  # type: ignore[method-assign]
    started = some_commands(system, 1)
    for _ in range(300):
        system.broker.enqueue(nudge_message())
    worker = running_worker(system)
    try:
        # a nudge that comes while a pass runs asks for one more pass after it, not one each
        wait_until(lambda: calls["nudge"] >= 300 and queued_nudges() == 0, 90, "300 nudges taken")
    finally:
        worker.stop()
    assert 1 <= calls["catch_up"] < 300
    assert tally.applied[SESSIONS] == 1
    assert_sessions_match_the_store(system, started)
    assert_matches_fresh_rebuild(system)


def racing_worker(system: System, stop: threading.Event, tallies: list[Tally]) -> threading.Thread:
    """A worker with its own event-log connection and projector, catching up again and again."""
    settings = system.settings.model_copy(update={"db_pool_size": 2, "db_max_overflow": 2})
    log = EventLog(env=event_store_env(settings))
    service = ProjectionService(settings, EventLogSource(log), Recorder())
    tallies.append(Tally(service.projector))

    def run() -> None:
        try:
            while not stop.is_set() or not caught_up_by(service):
                service.catch_up_all()
                stop.wait(0.001)
        finally:
            service.close()
            log.close()

    return threading.Thread(target=run, name="racing-worker", daemon=True)


def caught_up_by(service: ProjectionService) -> bool:
    head = service.source.head()
    return all(s.position >= head for s in service.statuses())


def test_four_workers_racing_while_commands_stream_in_write_every_row_once(server_system):
    stop, tallies = threading.Event(), []
    workers = [racing_worker(server_system, stop, tallies) for _ in range(4)]
    busy_before = lock_busy_metric(SESSIONS)
    streams = [CommandStream(server_system, f"racer-{n}", rate=120) for n in range(2)]
    for thread in [*workers, *streams]:
        thread.start()
    for stream in streams:
        stream.wait_for(150)
        stream.stop()
    stop.set()
    for worker in workers:
        worker.join(timeout=60)
        assert not worker.is_alive()
    events = stored_event_count(server_system)
    for name in server_system.projections.models:
        assert sum(t.applied[name] for t in tallies) == events, f"{name} applied an event twice"
    busy = sum(t.busy[SESSIONS] for t in tallies)
    assert busy > 0 and lock_busy_metric(SESSIONS) - busy_before >= busy
    assert sum(bool(t.applied[SESSIONS]) for t in tallies) >= 2  # the work really was shared
    for stream in streams:
        assert_sessions_match_the_store(server_system, stream)
    assert_matches_fresh_rebuild(server_system)


def undecodable(originator: uuid.UUID, topic: str, state: bytes) -> StoredEvent:
    return StoredEvent(originator_id=originator, originator_version=1, topic=topic, state=state)


def test_an_undecodable_stored_event_is_dead_lettered_and_the_rest_continue(server_system):
    system = server_system
    stream = some_commands(system, 10)
    bad = [
        undecodable(uuid.uuid4(), "domain.workout_session:WorkoutSession.SetLogged", b"{not json"),
        undecodable(uuid.uuid4(), "domain.workout_session:WorkoutSession.Stretched", b"{}"),
    ]
    system.log.recorder.insert_events(bad)
    for _ in range(10):
        stream.step()
    system.projections.catch_up_all()
    assert caught_up(system)
    letters = system.projections.dead_letters(SESSIONS)
    assert {d["originator_id"] for d in letters} == {str(e.originator_id) for e in bad}
    assert all(d["status"] == "open" for d in letters)
    sessions_too = system.projections.dead_letters(ProgressModel.name)  # it folds sessions' events too
    assert {d["originator_id"] for d in sessions_too} == {str(e.originator_id) for e in bad}
    assert [d for d in system.projections.dead_letters()
            if d["projection"] not in (SESSIONS, ProgressModel.name)] == []
    table = WorkoutSessionsModel.table
    with system.projections.engine.connect() as conn:
        rows = {r["id"]: r for r in conn.execute(table.select()).mappings()}
    for session_id, expected in stream.expected.items():
        found = rows[str(session_id)]
        assert (len(found["sets"]), found["version"]) == (expected.sets, expected.version)
    kept = snapshot(system.projections.engine)
    with pytest.raises(PoisonEvent):
        system.projections.rebuild(SESSIONS)
    assert snapshot(system.projections.engine) == kept
    assert {s.name: s.status for s in system.projections.statuses()}[SESSIONS] == "live"


tallies = Table(
    "test_set_tallies", MetaData(),
    Column("id", String(36), primary_key=True), Column("sets", Integer, nullable=False),
    Column("version", Integer, nullable=False), Column("position", BigInteger, nullable=False),
)


class SetTallies(ReadModel):
    """Counts each session's sets, and cannot count the exercise named `broken_for`."""

    name = "test_set_tallies"
    table = tallies
    event_types = (WorkoutSession.Started, WorkoutSession.SetLogged)  # type: ignore[attr-defined]
    push_event = "test.tally"

    def __init__(self) -> None:
        self.broken_for: str | None = "poison"

    def fold(self, row: Row | None, event: Any, position: int) -> Row | None:
        if self.broken_for and getattr(event, "exercise", None) == self.broken_for:
            raise ValueError(f"cannot tally {self.broken_for}")
        sets = 0 if row is None else row["sets"] + 1
        return {"id": str(event.originator_id), "sets": sets, "version": event.originator_version,
                "position": position}

    def out(self, row: Row) -> dict[str, Any]:
        return dict(row)


@pytest.fixture
def poisoned(system: System) -> SetTallies:
    """A read model registered beside the real ones, before any worker starts."""
    model = SetTallies()
    model.table.create(system.projections.engine)
    system.projections.models[model.name] = model
    return model


def tallied(system: System, session: str) -> int | None:
    with system.projections.engine.connect() as conn:
        return conn.scalar(select(tallies.c.sets).where(tallies.c.id == session))


def test_a_poison_event_is_dead_lettered_live_listed_for_admins_and_retried_once_fixed(
        poisoned, api, auth, system):
    client, admin, root = auth("alice"), auth("ops", "admin"), auth("root", "superadmin")
    route = "/v1/commands/workout-sessions"
    session = api.post(route, json={}, headers=client).json()["id"]
    positions = [api.post(f"{route}/{session}/sets", json={"exercise": name, "reps": 5, "weight_kg": 60},
                          headers=client).json()["position"] for name in ("squat", "poison", "squat")]
    wait_until(lambda: tallied(system, session) == 2 and caught_up(system), 15, "the tally past it")
    listed = {p["name"]: p for p in api.get("/v1/admin/projections", headers=admin).json()}
    assert listed[poisoned.name]["dead_letters"] == 1
    assert all(p["dead_letters"] == 0 for name, p in listed.items() if name != poisoned.name)
    letters = api.get(f"/v1/admin/projections/{poisoned.name}/dead-letters", headers=admin).json()
    assert [(d["position"], d["originator_id"], d["status"]) for d in letters] == [
        (positions[1], session, "open")]
    assert "cannot tally poison" in letters[0]["error"]
    refused = api.post(f"/v1/admin/projections/{poisoned.name}/dead-letters/retry", headers=root)
    assert refused.status_code == 409 and refused.json()["status"] == 409
    assert tallied(system, session) == 2
    poisoned.broken_for = None  # the cause is fixed
    retried = api.post(f"/v1/admin/projections/{poisoned.name}/dead-letters/retry", headers=root)
    assert retried.status_code == 202, retried.text
    assert retried.json()["retried"] == 1
    assert tallied(system, session) == 3
    listed = {p["name"]: p for p in api.get("/v1/admin/projections", headers=admin).json()}
    assert (listed[poisoned.name]["dead_letters"], listed[poisoned.name]["status"]) == (0, "live")
    letters = api.get(f"/v1/admin/projections/{poisoned.name}/dead-letters", headers=admin).json()
    assert [d["status"] for d in letters] == ["retried"]


def test_a_rebuild_meeting_a_poison_event_fails_loudly_and_keeps_the_old_rows(server_system):
    model = SetTallies()
    model.table.create(server_system.projections.engine)
    server_system.projections.models[model.name] = model
    stream = some_commands(server_system, 8)
    poison = next(iter(stream.expected))
    server_system.workout_sessions.log_set(
        context(stream.client), LogSet(poison, "poison", 5, Decimal(60)))
    server_system.projections.catch_up_all()
    assert len(server_system.projections.dead_letters(model.name)) == 1
    before = snapshot(server_system.projections.engine), tallied(server_system, str(poison))
    with pytest.raises(PoisonEvent, match="cannot tally poison"):
        server_system.projections.rebuild(model.name)
    assert (snapshot(server_system.projections.engine), tallied(server_system, str(poison))) == before
    assert {s.name: s.status for s in server_system.projections.statuses()}[model.name] == "live"


def test_read_models_no_new_event_concerns_are_moved_past_them_without_a_batch(server_system):
    """A burst of one kind of event (workout sets) costs the read models that fold none of it one
    shared read and one guarded write, not a batch each; those that fold it take their batch."""
    service = server_system.projections
    service.catch_up_all()
    some_commands(server_system, 5)
    batches: Counter[str] = Counter()
    step = service.projector.step

    def counted(model: ReadModel) -> Any:
        batches[model.name] += 1
        return step(model)

    service.projector.step = counted  # type: ignore[method-assign]
    service.catch_up_all()
    head = service.source.head()
    assert all(s.position == head for s in service.statuses())
    assert batches[SESSIONS] >= 1 and "payments" not in batches and "chat_messages" not in batches
    with service.engine.begin() as conn:  # a model held elsewhere is left to its holder
        assert advisory_lock(conn, "payments")
        some_commands(server_system, 1)
        assert service.projector.settle_unconcerned([service.model("payments")]) == {}
        conn.rollback()
    service.catch_up_all()
    assert all(s.position == service.source.head() for s in service.statuses())
    assert_matches_fresh_rebuild(server_system)
