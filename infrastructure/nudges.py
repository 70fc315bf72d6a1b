"""Nudges: after a command commits, tell the projection workers there is something new.

A nudge carries no data, and losing one loses nothing (workers also wake on PostgreSQL's
NOTIFY and on a periodic sweep). Nudges are coalesced: while one is pending, no other is sent.
"""

from __future__ import annotations

import threading

import dramatiq
import redis
import structlog
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker

from infrastructure.metrics import NUDGES_LOST
from infrastructure.settings import Settings
from infrastructure.telemetry import TraceMiddleware

QUEUE = "projections"
ACTOR = "catch_up"
PENDING_KEY = "gymgenius:nudge:pending"
log = structlog.get_logger("gymgenius.nudges")


def build_broker(settings: Settings) -> dramatiq.Broker:
    """The broker, with the trace id carried in every message's options (see telemetry)."""
    broker: dramatiq.Broker = (StubBroker() if settings.profile == "embedded"
                               else RedisBroker(url=settings.redis_url, namespace="gymgenius"))
    broker.add_middleware(TraceMiddleware())
    return broker


def nudge_message() -> dramatiq.Message:
    return dramatiq.Message(queue_name=QUEUE, actor_name=ACTOR, args=(), kwargs={}, options={})


class Nudger:
    """Sends at most one pending nudge at a time; a failure to send is logged, never raised."""

    def __init__(self, broker: dramatiq.Broker, flags: redis.Redis | None) -> None:
        self.broker = broker
        self.flags = flags
        self._pending = threading.Event()

    def nudge(self) -> None:
        try:
            if self._claim():
                self.broker.enqueue(nudge_message())
        except (redis.RedisError, dramatiq.errors.DramatiqError, OSError) as error:
            NUDGES_LOST.inc()
            log.warning("nudge_not_sent", error=str(error))

    def taken(self) -> None:
        """Called by a worker as it starts catching up: the next commit may nudge again.

        Without Redis the flag cannot be cleared (it expires by itself); catching up goes on.
        """
        self._pending.clear()
        if self.flags is None:
            return
        try:
            self.flags.delete(PENDING_KEY)
        except (redis.RedisError, OSError) as error:
            log.debug("nudge_flag_not_cleared", error=str(error))

    def _claim(self) -> bool:
        if self.flags is not None:
            return bool(self.flags.set(PENDING_KEY, 1, nx=True, px=2000))
        if self._pending.is_set():
            return False
        self._pending.set()
        return True
