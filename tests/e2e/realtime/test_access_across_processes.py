"""Server profile, as deployed: the projection worker runs in its own process, so the end of a
relationship reaches the Socket.IO server only through Redis, and still takes the trainer's
socket out of the client's room at once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from infrastructure.bootstrap import System
from interfaces.http.app import create_asgi
from tests.e2e.realtime.conftest import Live, Uvicorn
from tests.e2e.realtime.test_relationship_sockets import watching_stops_when_the_relationship_ends
from tests.integration.worker_process import WorkerProcess
from tests.support import wait_until


@pytest.fixture
def live_apart(server_system: System, tmp_path: Path) -> Iterator[Live]:
    worker = WorkerProcess(server_system.settings, tmp_path).start()
    try:
        with Uvicorn(create_asgi(server_system)) as server, httpx.Client(base_url=server.url,
                                                                         timeout=10) as http:
            live = Live(server_system, server.url, http)
            started = live.start_session("warm-up")
            wait_until(lambda: http.get("/v1/queries/workout-sessions", headers=live.headers("warm-up"),
                                        params={"min_position": started["position"]}).status_code == 200,
                       60, f"the worker process to start projecting: {worker.tail()}")
            yield live
    finally:
        worker.stop()


async def test_an_end_projected_by_another_process_takes_the_trainer_out_of_the_room(live_apart):
    await watching_stops_when_the_relationship_ends(live_apart)
