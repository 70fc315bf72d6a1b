"""Faults during a stream of commands: a worker killed mid-batch, Redis emptied and restarted,
PostgreSQL restarted. Afterwards every read model equals a fresh rebuild, and every session row
holds exactly the events the store holds: nothing missing, nothing doubled.

These restart shared services (briefly): `-m "not faults"` leaves them out while developing.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis
from fastapi.testclient import TestClient
from sqlalchemy import select

from domain.values import Role
from infrastructure.bootstrap import System
from infrastructure.nudges import nudge_message
from interfaces.http.app import create_query_app
from projections.schema import positions
from tests.integration.command_stream import (
    CommandStream,
    assert_sessions_match_the_store,
    write_backlog,
)
from tests.integration.conftest import ISOLATED_REDIS_URL, NUDGE_KEYS
from tests.integration.outages import ensure_postgres, ensure_redis, redis_down, restart_postgres
from tests.read_models import (
    assert_matches_fresh_rebuild,
    fresh_rebuild,
    positions_of,
    snapshot,
    tolerant,
)
from tests.support import wait_until

pytestmark = pytest.mark.faults


@pytest.fixture(autouse=True)
def services_back_up() -> Iterator[None]:
    """Whatever happens in a test, PostgreSQL and Redis are answering when it ends."""
    yield
    ensure_redis()
    ensure_postgres()


def committed(system: System) -> dict[str, int]:
    with system.projections.engine.connect() as conn:
        return {row.name: row.position for row in conn.execute(select(positions))}


def settled(system: System, stream: CommandStream, timeout: float = 30.0) -> None:
    """Every read model has reached the last position the stream committed."""
    target = stream.last_position
    wait_until(tolerant(lambda: all(p >= target for p in committed(system).values())), timeout,
               f"every read model at position {target}")


def test_a_worker_killed_mid_batch_again_and_again_leaves_nothing_half_applied(
        isolated_system, worker_processes):
    system = isolated_system
    with CommandStream(system, rate=80) as stream:
        for _ in range(2):
            write_backlog(system, 2500)
            before = committed(system)
            worker = worker_processes()
            wait_until(lambda w=worker, b=before: w.holds_a_projection_lock()
                       and committed(system) != b, 60, "the worker in the middle of a batch")
            worker.kill()
            wait_until(worker.sessions_gone, 10, "the killed worker's sessions to end")
            frozen = snapshot(system.projections.engine)
            assert frozen == fresh_rebuild(system.settings, upto=positions_of(frozen))
        last = worker_processes()
        stream.wait_for(30)
        settled(system, stream)
    assert last.alive, last.tail()
    assert_matches_fresh_rebuild(system)
    assert_sessions_match_the_store(system, stream)


@pytest.fixture
def queries(isolated_system: System) -> Iterator[TestClient]:
    with TestClient(create_query_app(isolated_system)) as client:
        yield client


def reads_its_writes(queries: TestClient, system: System, stream: CommandStream) -> int:
    """A query asking for the stream's last position: reflected (200) or not yet (503), never a 500."""
    assert system.dev_tokens is not None
    token = system.dev_tokens.issue(stream.client, Role.CLIENT)
    position = stream.last_position
    answer = queries.get("/v1/queries/workout-sessions", headers={"Authorization": f"Bearer {token}"},
                         params={"min_position": position, "limit": 1})
    assert answer.status_code in (200, 503), answer.text
    if answer.status_code == 200:
        assert int(answer.headers["X-Projection-Position"]) >= position
    return answer.status_code


def a_nudge_is_taken(system: System) -> None:
    """The worker's Dramatiq consumer is connected: the nudge sent now is taken off the queue and
    acknowledged. (Its own message is watched: while commands stream in, some other nudge is
    nearly always being handled, so the queue as a whole is seldom empty.)"""
    sent = system.broker.enqueue(nudge_message())
    client = redis.Redis.from_url(ISOLATED_REDIS_URL)
    wait_until(lambda: not any(client.hexists(key, sent.message_id) for key in NUDGE_KEYS), 30,
               "the worker to take a nudge from Redis")


def only_postgres_wakes_the_worker(system: System) -> None:
    """From now on commands send no nudges: only the worker's safety net can notice them."""
    system.log.after_commit.remove(system.nudger.nudge)


def test_emptying_redis_and_restarting_it_loses_nothing(isolated_system, worker_processes, queries):
    system = isolated_system
    worker = worker_processes()
    with CommandStream(system, rate=80) as stream:
        stream.wait_for(20)
        settled(system, stream)
        redis.Redis.from_url(ISOLATED_REDIS_URL).flushdb()  # every queued nudge is gone
        stream.wait_for(20)
        assert reads_its_writes(queries, system, stream) == 200
        with redis_down():
            stream.wait_for(15)  # commands still succeed: an unsent nudge is no error
            assert reads_its_writes(queries, system, stream) == 200  # NOTIFY still wakes the worker
        a_nudge_is_taken(system)
        only_postgres_wakes_the_worker(system)
        stream.wait_for(20)
        settled(system, stream)
    assert worker.alive, worker.tail()
    assert_matches_fresh_rebuild(system)
    assert_sessions_match_the_store(system, stream)


def test_restarting_postgresql_loses_nothing_and_the_worker_carries_on(
        isolated_system, worker_processes, queries):
    system = isolated_system
    worker = worker_processes()
    with CommandStream(system, rate=80) as stream:
        stream.wait_for(20)
        # the worker is serving before the outage (a cold start may take a few seconds)
        wait_until(lambda: reads_its_writes(queries, system, stream) == 200, 30,
                   "the worker to serve before the outage")
        restart_postgres()
        stream.wait_for(20, timeout=60)  # the stream retried what failed during the outage
        wait_until(lambda: reads_its_writes(queries, system, stream) == 200, 30,
                   "a query that reads its writes again")
        a_nudge_is_taken(system)
        only_postgres_wakes_the_worker(system)
        stream.wait_for(20)
        settled(system, stream)
    assert worker.alive, worker.tail()
    assert_matches_fresh_rebuild(system)
    assert_sessions_match_the_store(system, stream)
