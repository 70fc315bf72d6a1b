"""Test helpers shared by every suite: service URLs, schemas, settings, workers, waiting."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable
from typing import Any

import dramatiq
import psycopg

from infrastructure.bootstrap import System, worker_safety_net
from infrastructure.settings import Settings

PG_URL = os.environ.get("GYMGENIUS_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
# Under pytest-xdist each worker process takes Redis databases of its own (15/14, 13/12, ...), so
# that one worker's Dramatiq queues, Socket.IO channel and rate-limit counters are not another's.
_XDIST = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
_FIRST_DB = 15 - 2 * int(_XDIST.removeprefix("gw") or 0)
REDIS_URL = os.environ.get("GYMGENIUS_TEST_REDIS_URL", f"redis://127.0.0.1:6379/{_FIRST_DB}")
ISOLATED_REDIS_URL = os.environ.get(  # tests that stop workers and count what is queued
    "GYMGENIUS_TEST_ISOLATED_REDIS_URL", f"{REDIS_URL.rsplit('/', 1)[0]}/{_FIRST_DB - 1}")


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


def relate(api: Any, staff: dict[str, str], client_id: str) -> int:
    """The client accepts the staff member's invitation, for real over HTTP (the client's own
    development token is minted here); answers the acceptance's position (0 if already related)."""
    token = api.post("/v1/dev/tokens", json={"uid": client_id, "role": "client"})
    assert token.status_code == 200, token.text
    client = {"Authorization": f"Bearer {token.json()['token']}"}
    invited = api.post("/v1/commands/relationships/invitations", json={"client_id": client_id},
                       headers=staff)
    if invited.status_code == 409:
        return 0
    assert invited.status_code == 201, invited.text
    accepted = api.post(f"/v1/commands/relationships/invitations/{invited.json()['id']}/accept",
                        json={}, headers=client)
    assert accepted.status_code == 200, accepted.text
    return int(accepted.json()["position"])
