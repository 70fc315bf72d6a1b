"""Rebuilds: the same rows as the incremental projection, queries answering throughout, no pushes,
and the `rebuild NAME` command line."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from typing import Any

import pytest
from typer.testing import CliRunner

from infrastructure.bootstrap import System
from infrastructure.event_source import EventLogSource
from infrastructure.locks import RebuildRunning
from infrastructure.projection_runtime import ProjectionService
from interfaces.cli import cli as commands
from tests.integration.command_stream import (
    ROOT,
    CommandStream,
    assert_sessions_match_the_store,
    write_backlog,
)
from tests.read_models import Recorder, assert_matches_fresh_rebuild, caught_up, snapshot
from tests.support import running_worker, wait_until

SESSIONS = "workout_sessions"
COMMANDS = "/v1/commands/workout-sessions"
QUERIES = "/v1/queries/workout-sessions"


@pytest.mark.parametrize("held_rows", [50_000, 3], ids=["rows-in-memory", "flushed-every-few"])
def test_a_rebuild_gives_the_same_rows_as_the_incremental_projection(system, held_rows):
    stream = CommandStream(system)
    for _ in range(60):
        stream.step()
        system.projections.catch_up_all()  # incremental: one event per batch
    incremental = snapshot(system.projections.engine)
    system.projections.rebuilder.buffer_rows = held_rows
    system.projections.projector.rebuild_batch_size = 7 if held_rows < 10 else 5000
    for name in system.projections.models:
        assert system.projections.rebuild(name) == system.projections.source.head()
    assert snapshot(system.projections.engine) == incremental
    assert {s.status for s in system.projections.statuses()} == {"live"}
    if system.settings.profile == "server":
        assert_matches_fresh_rebuild(system)


class Watched:
    """Wraps the rebuilder's run: pauses it after its first batch until let go, and tells
    when it has finished, and how."""

    def __init__(self, system: System) -> None:
        self.halfway, self.go_on, self.done = threading.Event(), threading.Event(), threading.Event()
        self.outcome: Any = None
        self.inner = system.projections.rebuilder.run
        system.projections.rebuilder.run = self  # type: ignore[method-assign]

    def __call__(self, model: Any, progress: Any = None) -> int:
        try:
            self.outcome = self.inner(model, self._paused)
            return self.outcome
        except BaseException as error:
            self.outcome = error
            raise
        finally:
            self.done.set()

    def _paused(self, position: int, head: int) -> None:
        if not self.halfway.is_set():
            self.halfway.set()
            self.go_on.wait(timeout=30)


def reads(api: Any, session: str, headers: dict[str, str]) -> tuple[Any, int, Any, int]:
    one = api.get(f"{QUERIES}/{session}", headers=headers)
    listed = api.get(QUERIES, params={"limit": 5}, headers=headers)
    assert (one.status_code, listed.status_code) == (200, 200), (one.text, listed.text)
    return (one.json(), int(one.headers["X-Projection-Position"]),
            listed.json(), int(listed.headers["X-Projection-Position"]))


def test_queries_keep_answering_during_a_rebuild_and_nothing_is_pushed(api, auth, system):
    alice, root = auth("alice"), auth("root", "superadmin")
    assert api.get("/v1/queries/me", headers=root).status_code == 200  # records root's User now
    write_backlog(system, 2000)
    session = api.post(COMMANDS, json={"day": "Legs"}, headers=alice).json()["id"]
    for _ in range(3):
        written = api.post(f"{COMMANDS}/{session}/sets", headers=alice,
                           json={"exercise": "squat", "reps": 5, "weight_kg": 100}).json()
    assert api.get(f"{QUERIES}/{session}", params={"min_position": written["position"]},
                   headers=alice).status_code == 200
    wait_until(lambda: caught_up(system), 30, "every read model caught up")
    before, rows_before = reads(api, session, alice), snapshot(system.projections.engine)
    recorder, watched = Recorder(), Watched(system)
    system.projections.projector.pusher = recorder
    assert api.post(f"/v1/admin/projections/{SESSIONS}/rebuild", headers=root).status_code == 202
    wait_until(watched.halfway.is_set, 30, "the rebuild to be under way")
    during = 0
    while not watched.done.is_set():
        one, at, listed, listed_at = reads(api, session, alice)
        assert (one, listed) == (before[0], before[2])  # never empty, never older
        assert at >= before[1] and listed_at >= before[3]
        during += 1
        if during == 5:
            watched.go_on.set()
    assert watched.outcome == before[1], watched.outcome
    assert during >= 5  # all read while the rebuild was under way
    assert recorder.sent == []
    assert reads(api, session, alice) == before
    assert snapshot(system.projections.engine) == rows_before


def test_a_rebuild_while_commands_stream_in_loses_and_doubles_nothing(isolated_system):
    system = isolated_system
    write_backlog(system, 3000)
    worker = running_worker(system)
    try:
        with CommandStream(system, rate=100) as stream:
            stream.wait_for(10)
            for _ in range(2):
                system.projections.rebuild(SESSIONS)
                stream.wait_for(10)
        assert_matches_fresh_rebuild(system)
    finally:
        worker.stop()
    assert_sessions_match_the_store(system, stream)


def cli_env(system: System) -> dict[str, str]:
    return {"GYMGENIUS_PROFILE": "server", "DATABASE_URL": system.settings.database_url,
            "GYMGENIUS_DB_SCHEMA": system.settings.database_schema, "REDIS_URL": system.settings.redis_url,
            "GYMGENIUS_DB_POOL_SIZE": "2", "COLUMNS": "100"}


def cli(system: System, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "interfaces.cli", *args], cwd=ROOT,
                          env={**os.environ, **cli_env(system)}, capture_output=True, text=True,
                          timeout=120, check=False)


def test_the_rebuild_command_shows_progress_and_swaps_in_the_same_rows(server_system):
    stream = CommandStream(server_system)
    for _ in range(40):
        stream.step()
    server_system.projections.catch_up_all()
    before = snapshot(server_system.projections.engine)
    head = server_system.projections.source.head()
    done = cli(server_system, "rebuild", SESSIONS)
    assert done.returncode == 0, done.stderr
    assert f"rebuilding {SESSIONS}" in done.stdout and f"{head}/{head} events" in done.stdout
    assert f"rebuilt {SESSIONS} up to position {head}" in done.stdout
    assert snapshot(server_system.projections.engine) == before
    unknown = CliRunner().invoke(commands, ["rebuild", "no_such_model"], env=cli_env(server_system))
    assert unknown.exit_code == 2 and "no read model named no_such_model" in unknown.output


def test_a_second_rebuild_or_a_retry_while_one_runs_is_refused_with_409(api, auth, system):
    root = auth("root", "superadmin")
    write_backlog(system, 300)
    watched = Watched(system)
    system.projections.projector.rebuild_batch_size = 50  # several batches: it pauses after one
    assert api.post(f"/v1/admin/projections/{SESSIONS}/rebuild", headers=root).status_code == 202
    wait_until(watched.halfway.is_set, 30, "the rebuild to be under way")
    for route in (f"/v1/admin/projections/{SESSIONS}/rebuild",
                  f"/v1/admin/projections/{SESSIONS}/dead-letters/retry"):
        refused = api.post(route, headers=root)
        assert refused.status_code == 409, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        assert "already being rebuilt" in refused.json()["detail"]
    if system.settings.profile == "server":  # another process is refused too
        busy = cli(system, "rebuild", SESSIONS)
        assert busy.returncode == 75 and "already being rebuilt" in busy.stderr, busy.stderr
    assert api.post("/v1/admin/projections/plans/rebuild", headers=root).status_code == 202  # others go on
    watched.go_on.set()
    wait_until(watched.done.is_set, 30, "the rebuild to finish")
    assert watched.outcome == system.projections.source.head()
    wait_until(lambda: api.post(f"/v1/admin/projections/{SESSIONS}/dead-letters/retry",
                                headers=root).status_code == 202, 30, "the retry once the rebuild is done")


def test_rebuilds_of_one_read_model_started_at_once_never_deadlock(server_system):
    system = server_system
    stream = CommandStream(system)
    for _ in range(60):
        stream.step()
    other = ProjectionService(system.settings, EventLogSource(system.log), Recorder())  # a 2nd process
    start, outcomes = threading.Barrier(8), []

    def rebuild(service: ProjectionService) -> None:
        start.wait()
        try:
            outcomes.append(service.rebuild(SESSIONS))
        except RebuildRunning as refused:
            outcomes.append(refused)

    threads = [threading.Thread(target=rebuild, args=(service,), daemon=True)
               for service in [system.projections] * 4 + [other] * 4]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert not any(thread.is_alive() for thread in threads), "a rebuild is stuck"
    finally:
        other.close()
    head = system.projections.source.head()
    assert len(outcomes) == 8 and head in outcomes
    assert all(o == head or isinstance(o, RebuildRunning) for o in outcomes), outcomes
    system.projections.catch_up_all()
    assert_matches_fresh_rebuild(system)
