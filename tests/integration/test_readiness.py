"""/readyz fails on the database only. It and /metrics show a read model that is not advancing:
lag that has not moved for a while is a stall (reported, `gymgenius_projection_stalled` 1, the
alerts watch it); open dead letters are shown and counted (`gymgenius_projection_dead_letters_open`);
Redis out of reach is reported: none of these takes the API out of service."""

from __future__ import annotations

import redis
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY

from infrastructure.readstore import ReadStore, sync_engine
from interfaces.http.app import create_query_app
from tests.integration.command_stream import CommandStream
from tests.integration.test_unwedgeable_projections import unstorable_session
from tests.support import wait_until

SESSIONS = "workout_sessions"


def metric(name: str, projection: str = SESSIONS) -> float | None:
    return REGISTRY.get_sample_value(name, {"projection": projection})


def test_a_stalled_read_model_is_reported_while_the_api_stays_ready(server_system):
    system = server_system
    system.projections.stall_after_s = 0.3
    with TestClient(create_query_app(system)) as client:
        assert client.get("/readyz").status_code == 200
        stream = CommandStream(system)
        for _ in range(5):
            stream.step()  # no worker runs: the read models do not move
        stalled = wait_until(lambda: (r := client.get("/readyz")).json()["checks"]["projections"] != "ok"
                             and r, 10, "readyz to see the stall")
        assert stalled.status_code == 200, stalled.text
        stalled = stalled.json()
        assert stalled["ready"] is True
        assert stalled["checks"]["projections"].startswith("stalled: ")
        assert SESSIONS in stalled["checks"]["projections"]
        assert metric("gymgenius_projection_stalled") == 1
        assert f'gymgenius_projection_stalled{{projection="{SESSIONS}"}} 1.0' in client.get("/metrics").text
        system.projections.catch_up_all()
        ready = client.get("/readyz")
        assert ready.status_code == 200, ready.text
        assert metric("gymgenius_projection_stalled") == 0


def test_open_dead_letters_are_shown_and_counted_but_the_api_stays_ready(server_system):
    system = server_system
    victim, _ = unstorable_session(system)
    system.projections.catch_up_all()
    with TestClient(create_query_app(system)) as client:
        ready = client.get("/readyz")
        assert ready.status_code == 200, ready.text
        assert ready.json()["checks"]["dead_letters"] == f"open: {SESSIONS} (1)"
        assert metric("gymgenius_projection_dead_letters_open") == 1
        assert metric("gymgenius_projection_dead_letters_open", "plans") == 0
    assert [d["originator_id"] for d in system.projections.dead_letters()] == [victim]


def test_redis_out_of_reach_is_reported_but_the_api_stays_ready(server_system):
    system = server_system
    reachable = system.nudger.flags
    system.nudger.flags = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.5)
    try:
        with TestClient(create_query_app(system)) as client:
            answer = client.get("/readyz")
        assert answer.status_code == 200, answer.text
        assert answer.json()["ready"] is True
        assert answer.json()["checks"]["redis"].startswith("unavailable: ")
        assert answer.json()["checks"]["database"] == "ok"
    finally:
        system.nudger.flags = reachable


def test_the_database_out_of_reach_makes_the_api_unready(server_system):
    system = server_system
    serving = system.reads
    nowhere = system.settings.model_copy(update={
        "database_url": "postgresql://postgres@127.0.0.1:1/postgres", "query_database_url": None})
    system.reads = ReadStore(sync_engine(nowhere), owned=True)
    try:
        with TestClient(create_query_app(system)) as client:
            answer = client.get("/readyz")
        assert answer.status_code == 503, answer.text
        assert answer.json()["ready"] is False
        assert answer.json()["checks"]["database"].startswith("unavailable: ")
    finally:
        system.reads = serving
