"""Operational metrics the alerts rely on: payment failures counted once, by the process that
records them, and the process's one connection pool's use, size and timeouts."""

from __future__ import annotations

import asyncio

import pytest
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY

from infrastructure.readstore import ReadStoreBusy
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


def sample(metric: str) -> float:
    return REGISTRY.get_sample_value(f"gymgenius_db_pool_{metric}", {"pool": "primary"}) or 0.0


def test_the_one_pool_of_a_server_process_is_measured_and_its_exhaustion_seen(server_system):
    system = server_system
    settings, engine = system.settings, system.projections.engine
    most = settings.db_pool_size + settings.db_max_overflow
    with TestClient(create_query_app(system)) as client:
        assert client.get("/readyz").status_code == 200
        text = client.get("/metrics").text
        for metric in ("in_use", "open", "max", "overflow", "waiting"):
            assert f'gymgenius_db_pool_{metric}{{pool="primary"}}' in text, metric
        assert 'gymgenius_db_pool_timeouts_total{pool="primary"}' in text
        for gone in ("event_store", "projections", "reads"):  # the three pools are one now
            assert f'pool="{gone}"' not in text, gone
        assert sample("max") >= most
        timeouts = sample("timeouts_total")
        held = [engine.connect() for _ in range(most)]  # every connection of the process in use
        try:
            assert sample("in_use") >= most  # what GymGeniusDbPoolExhausted fires on
            with pytest.raises(ReadStoreBusy):  # a query finds none free within 5 s
                asyncio.run(system.reads.ping())
            assert sample("timeouts_total") == timeouts + 1
        finally:
            for conn in held:
                conn.close()
        asyncio.run(system.reads.ping())
