"""100,000 payment events through the NDJSON export route of a uvicorn server (server profile):
the server's memory stays flat while they stream, and an export broken off half-way resumes
from the last position it gave, with nothing lost or repeated."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from infrastructure.bootstrap import init_storage
from infrastructure.eventstore import event_store_env
from infrastructure.eventstore.log import EventLog
from ops.bench.audit_speed import dev_token, stream_export, write_payment_history
from ops.bench.servers import Server, serve
from tests.support import PG_URL, REDIS_URL, server_settings

EVENTS = 100_000
pytestmark = [pytest.mark.scale, pytest.mark.timeout(300)]  # a loaded machine may take longer


@pytest.fixture
def served_history(pg_schema: str) -> Iterator[tuple[Server, int]]:
    settings = server_settings(pg_schema)
    init_storage(settings)
    log = EventLog(env=event_store_env(settings))
    written = write_payment_history(log, EVENTS)
    log.close()
    env = {"GYMGENIUS_PROFILE": "server", "GYMGENIUS_DEV_TOKENS": "1", "DATABASE_URL": PG_URL,
           "GYMGENIUS_DB_SCHEMA": pg_schema, "REDIS_URL": REDIS_URL}
    with serve("interfaces.asgi:create", env) as server:
        yield server, written


def test_100_000_payment_events_stream_in_flat_memory_and_resume_where_broken_off(served_history) -> None:
    server, written = served_history
    token = dev_token(server.url)
    first = stream_export(server.url, token, server.pid, stop_after=written // 2)
    rest = stream_export(server.url, token, server.pid, after_position=first.last_position)
    assert first.lines == written // 2 and first.lines + rest.lines == written
    assert first.positions_ascending and rest.positions_ascending
    samples = first.rss_mb + rest.rss_mb
    streamed_mb = written * 0.55  # each line is over 550 bytes
    assert max(samples) - min(samples) < 25 < streamed_mb / 2, samples
