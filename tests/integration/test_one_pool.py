"""One PostgreSQL pool per process: under concurrent commands and read-your-writes queries, an API
process and a worker process each hold no more connections than their one pool's size plus
overflow (the worker's LISTEN apart), as PostgreSQL itself counts them (pg_stat_activity); the
event store borrows from that pool; only queries on a read replica have a second one."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY
from sqlalchemy import Engine

from infrastructure.bootstrap import System, bootstrap, init_storage
from interfaces.http.app import create_app
from tests.support import PG_URL, running_worker, server_settings, wait_until

CLIENTS, ROUNDS = 8, 4
SIZES = {"api": (2, 1), "worker": (3, 1)}  # GYMGENIUS_DB_POOL_SIZE, GYMGENIUS_DB_MAX_OVERFLOW


def _system(schema: str, role: str) -> System:
    size, overflow = SIZES[role]
    return bootstrap(server_settings(
        schema, GYMGENIUS_DB_POOL_SIZE=size, GYMGENIUS_DB_MAX_OVERFLOW=overflow,
        GYMGENIUS_DB_APPLICATION_NAME=f"gg-{role}-{schema}"[:56], GYMGENIUS_RATE_LIMITS=False))


@pytest.fixture
def processes(pg_schema: str) -> Iterator[dict[str, System]]:
    """An API process and a worker process on one schema, as two Deployments run them."""
    init_storage(server_settings(pg_schema))
    found = {role: _system(pg_schema, role) for role in SIZES}
    yield found
    for each in found.values():
        each.close()


class Census(threading.Thread):
    """Counts, every few milliseconds, the server connections each application name holds."""

    def __init__(self, names: list[str]) -> None:
        super().__init__(daemon=True)
        self.names, self.most = names, dict.fromkeys(names, 0)
        self.stopping = threading.Event()

    def run(self) -> None:
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            while not self.stopping.wait(0.005):
                rows = conn.execute("SELECT application_name, count(*) FROM pg_stat_activity "
                                    "WHERE application_name = ANY(%s) GROUP BY 1", (self.names,))
                for name, count in rows:
                    self.most[name] = max(self.most[name], count)

    def stop(self) -> dict[str, int]:
        self.stopping.set()
        self.join(5)
        return self.most


def test_each_process_holds_at_most_its_one_pool_under_load(processes):
    api, worker = processes["api"], processes["worker"]
    names = {role: s.settings.db_application_name for role, s in processes.items()}
    census = Census([names["api"], names["worker"], f"{names['worker']}-listen"])
    census.start()
    background = running_worker(worker)
    try:
        with TestClient(create_app(api)) as client:
            def user(n: int) -> list[int]:
                token = client.post("/v1/dev/tokens", json={"uid": f"user{n}", "role": "client"})
                headers = {"Authorization": f"Bearer {token.json()['token']}"}
                codes = []
                for _ in range(ROUNDS):
                    started = client.post("/v1/commands/workout-sessions", json={}, headers=headers)
                    codes.append(started.status_code)
                    listed = client.get("/v1/queries/workout-sessions", headers=headers,
                                        params={"min_position": started.json()["position"]})
                    codes.append(listed.status_code)
                return codes

            with ThreadPoolExecutor(CLIENTS) as users:
                codes = [c for each in users.map(user, range(CLIENTS)) for c in each]
            wait_until(lambda: census.most[names["api"]] > 0, 5, "the census to see the API")
    finally:
        background.stop()
        most = census.stop()
    assert set(codes) <= {200, 201}, codes
    assert 0 < most[names["api"]] <= sum(SIZES["api"]), most
    assert 0 < most[names["worker"]] <= sum(SIZES["worker"]), most
    assert most[f"{names['worker']}-listen"] <= 1, most


def test_the_event_store_borrows_from_the_process_pool(processes):
    system = processes["api"]
    pool = system.projections.engine.pool
    before = pool.checkedout()  # type: ignore[attr-defined]
    datastore = system.log.recorder.datastore  # type: ignore[attr-defined]
    with datastore.get_connection() as conn:
        assert pool.checkedout() == before + 1  # type: ignore[attr-defined]
        assert conn.execute("SELECT 1 AS one").fetchone() == {"one": 1}  # the datastore's rows
    assert pool.checkedout() == before  # type: ignore[attr-defined]
    with system.projections.engine.connect() as conn:  # and SQLAlchemy's state is back
        assert tuple(conn.exec_driver_sql("SELECT 1").one()) == (1,)


def test_queries_on_a_replica_have_a_pool_of_their_own_sized_apart(pg_schema):
    replica = PG_URL.replace("127.0.0.1", "localhost")  # another URL: the replica's stand-in
    settings = server_settings(pg_schema, QUERY_DATABASE_URL=replica, GYMGENIUS_DB_REPLICA_POOL_SIZE=1,
                               GYMGENIUS_DB_REPLICA_MAX_OVERFLOW=0)
    init_storage(settings)
    system = bootstrap(settings)
    try:
        asyncio.run(system.reads.ping())
        reads = system.reads.engine
        assert isinstance(reads, Engine) and reads is not system.projections.engine
        assert reads.pool.size() == 1 and reads.url.host == "localhost"  # type: ignore[attr-defined]
        assert REGISTRY.get_sample_value("gymgenius_db_pool_max", {"pool": "replica"}) == 1
    finally:
        asyncio.run(system.reads.close())
        system.close()
