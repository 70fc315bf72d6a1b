"""Integration fixtures: a server system on a Redis database of its own, and worker processes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis

from infrastructure.bootstrap import System, bootstrap, init_storage
from tests.integration.worker_process import WorkerProcess
from tests.support import ISOLATED_REDIS_URL, server_settings

NUDGE_KEYS = ("gymgenius:projections.msgs", "gymgenius:projections.DQ.msgs")


def queued_nudges() -> int:
    """Nudges on the isolated Redis database not yet taken and acknowledged by a worker."""
    client = redis.Redis.from_url(ISOLATED_REDIS_URL)
    return sum(int(client.hlen(key)) for key in NUDGE_KEYS)


@pytest.fixture
def isolated_system(pg_schema: str) -> Iterator[System]:
    """A server system whose Redis database no other test uses: its queue can be watched and emptied."""
    redis.Redis.from_url(ISOLATED_REDIS_URL).flushdb()
    settings = server_settings(pg_schema, REDIS_URL=ISOLATED_REDIS_URL, GYMGENIUS_DB_POOL_SIZE=4)
    init_storage(settings)
    system = bootstrap(settings)
    yield system
    system.close()


@pytest.fixture
def worker_processes(isolated_system: System, tmp_path: Path) -> Iterator[Callable[[], WorkerProcess]]:
    """Starts `dramatiq interfaces.workers.actors` processes on the isolated system; stops them all."""
    started: list[WorkerProcess] = []

    def start() -> WorkerProcess:
        started.append(WorkerProcess(isolated_system.settings, tmp_path).start())
        return started[-1]

    yield start
    for worker in started:
        worker.stop()
