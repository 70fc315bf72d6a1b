"""The worker's safety net keeps waking it through every error an outage can raise."""

from __future__ import annotations

from typing import Any

import psycopg
import redis
from dramatiq.brokers.stub import StubBroker
from eventsourcing.persistence import OperationalError as StoreOperationalError
from sqlalchemy.exc import OperationalError as SQLOperationalError

from infrastructure.nudges import Nudger
from infrastructure.workers import CatchUp, SafetyNet
from tests.support import wait_until

OUTAGE = [
    StoreOperationalError("the event store went away"),
    SQLOperationalError("SELECT 1", {}, Exception("the read models went away")),
    psycopg.OperationalError("the server closed the connection"),
    redis.ConnectionError("Redis went away"),
]


class FlakyProjections:
    """Catch-ups that fail as an outage makes them fail, then succeed."""

    def __init__(self) -> None:
        self.calls = 0

    def catch_up_all(self) -> dict[str, Any]:
        self.calls += 1
        if self.calls <= len(OUTAGE):
            raise OUTAGE[self.calls - 1]
        return {}


def test_the_safety_net_outlives_store_database_and_redis_errors():
    projections = FlakyProjections()
    no_redis = redis.Redis.from_url("redis://127.0.0.1:1/0")  # nothing listens there
    net = SafetyNet(CatchUp(projections, Nudger(StubBroker(), no_redis)), None,  # type: ignore[arg-type]
                    interval=0.01)
    net.start()
    try:
        wait_until(lambda: projections.calls >= len(OUTAGE) + 3, 15, "catch-ups after the outage")
        assert net.is_alive()
    finally:
        net.stop()
        net.join(timeout=5)
