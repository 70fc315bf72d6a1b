"""Shared fixtures: real PostgreSQL and Redis (a missing service fails loudly), and both profiles.
Helpers that tests import live in `tests.support`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
import redis
from fastapi.testclient import TestClient

from infrastructure.bootstrap import System, bootstrap, init_storage
from infrastructure.settings import Settings
from interfaces.http.app import create_app
from tests.support import PG_URL, REDIS_URL, drop_schema, fresh_schema, running_worker, server_settings

# every answer through `api` must fit /openapi.json; the loopback Firebase's fixtures
pytest_plugins = ["tests.contract.every_answer", "tests.firebase_fixtures"]


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


# The catalog tables that each test's schema (created, then dropped) leaves dead rows in
CATALOGS = ("pg_attribute", "pg_class", "pg_depend", "pg_type", "pg_index", "pg_constraint", "pg_attrdef",
            "pg_sequence", "pg_trigger", "pg_statistic", "pg_namespace")


def pytest_sessionfinish(session: pytest.Session) -> None:
    """A suite creates and drops thousands of schemas, and autovacuum fell behind on the catalogs
    they leave dead rows in (976,000 in pg_attribute after a few runs: the test database at 395 MB,
    128 MB vacuumed). The run that ends the session (not each xdist process) vacuums them, so the
    machine's PostgreSQL is left as fast as it was found."""
    if hasattr(session.config, "workerinput"):
        return
    try:
        with psycopg.connect(PG_URL, autocommit=True, connect_timeout=5) as conn:
            conn.execute("VACUUM " + ", ".join(f"pg_catalog.{name}" for name in CATALOGS))
    except psycopg.Error as error:  # a courtesy to the next run; never the suite's verdict
        print(f"\nthe catalogs could not be vacuumed: {error}")


# Modules whose tests take 20 s to minutes: marked `slow`, and under pytest-xdist (worksteal) dealt
# out first, one to each process in turn, so that none of them is left to run alone at the end
SLOW = ("test_money_at_scale", "test_event_store_concurrency", "test_backup_restore",
        "test_audit_export_at_scale", "test_rebuild", "test_subscription_machine", "test_policies",
        "test_malformed_requests", "test_scheduler", "test_role_matrix", "test_projection_exactly_once",
        "test_log_redaction", "test_min_position_waits")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    slow = [i for i in items if i.path.stem in SLOW]
    for item in slow:
        item.add_marker(pytest.mark.slow)
    processes = int(getattr(config.option, "numprocesses", 0) or 0)
    if processes < 2:
        return
    rest = [i for i in items if i.path.stem not in SLOW]
    share = -(-len(rest) // processes)
    items[:] = [item for n in range(processes)
                for item in (*slow[n::processes], *rest[n * share:(n + 1) * share])]


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


@pytest.fixture
def auth(api: TestClient) -> Callable[[str, str], dict[str, str]]:
    """Headers carrying a development token for a uid and role."""

    def headers(uid: str, role: str = "client") -> dict[str, str]:
        answer = api.post("/v1/dev/tokens", json={"uid": uid, "role": role})
        assert answer.status_code == 200, answer.text
        return {"Authorization": f"Bearer {answer.json()['token']}"}

    return headers
