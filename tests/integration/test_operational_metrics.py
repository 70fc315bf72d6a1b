"""Operational metrics the alerts rely on: payment failures counted once, by the process that
records them, and each connection pool's use, size and timeouts (event store, projections, reads)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from prometheus_client import REGISTRY

from interfaces.http.app import create_query_app
from tests.e2e.http.payment_steps import Steps


def failures(kind: str) -> float:
    return REGISTRY.get_sample_value("gymgenius_payment_failures_total", {"kind": kind}) or 0.0


def test_payment_failures_are_counted_by_kind(system):
    steps = Steps(system)
    before = {kind: failures(kind) for kind in ("payment", "late")}
    steps.fail(steps.ordered("fay"))
    steps.fail(steps.captured("fay").id)
    assert failures("payment") == before["payment"] + 1
    assert failures("late") == before["late"] + 1


def test_every_pool_of_a_server_process_is_measured(server_system):
    system = server_system
    with TestClient(create_query_app(system)) as client:
        assert client.get("/readyz").status_code == 200
        text = client.get("/metrics").text
    for pool in ("event_store", "projections", "reads"):
        for metric in ("in_use", "open", "max", "overflow", "waiting"):
            assert f'gymgenius_db_pool_{metric}{{pool="{pool}"}}' in text, (pool, metric)
        assert f'gymgenius_db_pool_timeouts_total{{pool="{pool}"}}' in text
    settings = system.settings
    most = REGISTRY.get_sample_value("gymgenius_db_pool_max", {"pool": "reads"})
    assert most is not None and most >= settings.db_pool_size + settings.db_max_overflow
    with system.projections.engine.connect():
        in_use = REGISTRY.get_sample_value("gymgenius_db_pool_in_use", {"pool": "projections"})
        assert in_use is not None and in_use >= 1
