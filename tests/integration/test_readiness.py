"""/readyz and /metrics show a read model that is not advancing: lag that has not moved for a
while is a stall (not ready, `gymgenius_projection_stalled` 1); open dead letters are shown and
counted (`gymgenius_projection_dead_letters_open`) without taking the API out of service."""

from __future__ import annotations

from fastapi.testclient import TestClient
from prometheus_client import REGISTRY

from interfaces.http.app import create_query_app
from tests.integration.command_stream import CommandStream
from tests.integration.test_unwedgeable_projections import unstorable_session
from tests.support import wait_until

SESSIONS = "workout_sessions"


def metric(name: str, projection: str = SESSIONS) -> float | None:
    return REGISTRY.get_sample_value(name, {"projection": projection})


def test_a_stalled_read_model_makes_the_api_unready_until_it_moves_again(server_system):
    system = server_system
    system.projections.stall_after_s = 0.3
    with TestClient(create_query_app(system)) as client:
        assert client.get("/readyz").status_code == 200
        stream = CommandStream(system)
        for _ in range(5):
            stream.step()  # no worker runs: the read models do not move
        stalled = wait_until(lambda: (r := client.get("/readyz")).status_code == 503 and r, 10,
                             "readyz to see the stall").json()
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
