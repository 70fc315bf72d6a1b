"""Both profiles with their gateway on the Razorpay sandbox (loopback, the real `razorpay` client).
The sandbox delivers no webhook itself: tests post its signed events, in the order they choose."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from infrastructure.bootstrap import System, bootstrap, init_storage
from infrastructure.settings import Settings
from interfaces.http.app import create_app
from tests.e2e.http.money.flows import Money
from tests.razorpay_sandbox import KEY_ID, KEY_SECRET, WEBHOOK_SECRET, RunningSandbox, running_sandbox
from tests.support import running_worker, server_settings


@pytest.fixture
def sandbox() -> Iterator[RunningSandbox]:
    with running_sandbox(None) as running:
        yield running


@pytest.fixture(params=["embedded", "server"])
def money_system(request: pytest.FixtureRequest, tmp_path: Path, sandbox: RunningSandbox) -> Iterator[System]:
    gateway = {"RAZORPAY_BASE_URL": sandbox.url, "RAZORPAY_KEY_ID": KEY_ID, "RAZORPAY_KEY_SECRET": KEY_SECRET,
               "RAZORPAY_WEBHOOK_SECRET": WEBHOOK_SECRET, "GYMGENIUS_GATEWAY_TIMEOUT": 2.0,
               "GYMGENIUS_GATEWAY_BREAKER_FAILURES": 4, "GYMGENIUS_GATEWAY_BREAKER_RESET": 1.0}
    if request.param == "server":
        settings = server_settings(request.getfixturevalue("pg_schema"), **gateway)
    else:
        settings = Settings(GYMGENIUS_DATA_DIR=tmp_path / "var", **gateway)  # type: ignore[arg-type]
    init_storage(settings)
    system = bootstrap(settings)
    yield system
    system.close()


@pytest.fixture
def money(money_system: System, sandbox: RunningSandbox) -> Iterator[Money]:
    worker = running_worker(money_system) if money_system.settings.profile == "server" else None
    with TestClient(create_app(money_system)) as client:
        yield Money(client, money_system, sandbox)
    if worker is not None:
        worker.stop()
