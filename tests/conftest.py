"""Shared fixtures: real PostgreSQL and Redis (a missing service fails loudly), and both profiles."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import dramatiq
import psycopg
import pytest
import redis
from fastapi.testclient import TestClient

from infrastructure.bootstrap import System, bootstrap, init_storage, worker_safety_net
from infrastructure.settings import Settings
from interfaces.http.app import create_app

PG_URL = os.environ.get("GYMGENIUS_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("GYMGENIUS_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _require_services() -> None:
    try:
        psycopg.connect(PG_URL, connect_timeout=5).close()
    except psycopg.OperationalError as error:
        pytest.exit(f"PostgreSQL is required at {PG_URL} and is not answering: {error}", 3)
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=5).ping()
    except redis.RedisError as error:
        pytest.exit(f"Redis is required at {REDIS_URL} and is not answering: {error}", 3)


def pytest_sessionstart(session: pytest.Session) -> None:
    _require_services()


def fresh_schema() -> str:
    return f"t_{uuid.uuid4().hex[:12]}"


def drop_schema(schema: str) -> None:
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def server_settings(schema: str, **overrides: object) -> Settings:
    values = {
        "GYMGENIUS_PROFILE": "server", "GYMGENIUS_DEV_TOKENS": True, "DATABASE_URL": PG_URL,
        "GYMGENIUS_DB_SCHEMA": schema, "REDIS_URL": REDIS_URL, **overrides,
    }
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def pg_schema() -> Iterator[str]:
    schema = fresh_schema()
    yield schema
    drop_schema(schema)


@pytest.fixture
def server_system(pg_schema: str) -> Iterator[System]:
    settings = server_settings(pg_schema)
    init_storage(settings)
    system = bootstrap(settings)
    yield system
    system.close()


@pytest.fixture
def embedded_system(tmp_path: Path) -> Iterator[System]:
    settings = Settings(GYMGENIUS_DATA_DIR=tmp_path / "var")  # type: ignore[call-arg]
    init_storage(settings)
    system = bootstrap(settings)
    yield system
    system.close()


@pytest.fixture(params=["embedded", "server"])
def system(request: pytest.FixtureRequest) -> System:
    return request.getfixturevalue(f"{request.param}_system")


@pytest.fixture
def api(system: System) -> Iterator[TestClient]:
    """The combined app; in the server profile a real Dramatiq worker on Redis runs beside it."""
    worker = running_worker(system) if system.settings.profile == "server" else None
    with TestClient(create_app(system)) as client:
        yield client
    if worker is not None:
        worker.stop()


class RunningWorker:
    """A projection worker as `make worker` runs it: Dramatiq on Redis plus the safety net."""

    def __init__(self, system: System) -> None:
        self.worker = dramatiq.Worker(system.broker, worker_threads=2, worker_timeout=100)
        self.net = worker_safety_net(system, interval=0.25)  # short, so that stop() is quick

    def start(self) -> RunningWorker:
        self.worker.start()
        self.net.start()
        return self

    def stop(self) -> None:
        self.net.stop()
        self.worker.stop()
        self.net.join(timeout=10)


def running_worker(system: System) -> RunningWorker:
    return RunningWorker(system).start()


def wait_until(condition: Callable[[], object], timeout: float = 10.0, what: str = "") -> object:
    """Polls a condition until it holds or the deadline passes (no fixed sleeps in tests)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what or condition}")
        time.sleep(0.01)


@pytest.fixture
def auth(api: TestClient) -> Callable[[str, str], dict[str, str]]:
    """Headers carrying a development token for a uid and role."""

    def headers(uid: str, role: str = "client") -> dict[str, str]:
        answer = api.post("/v1/dev/tokens", json={"uid": uid, "role": role})
        assert answer.status_code == 200, answer.text
        return {"Authorization": f"Bearer {answer.json()['token']}"}

    return headers
