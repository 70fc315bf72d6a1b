"""Projection workers: catch up on a nudge, on PostgreSQL's NOTIFY, or on a periodic sweep."""

from __future__ import annotations

import threading
from collections.abc import Callable

import dramatiq
import psycopg
import redis
import structlog
from eventsourcing.persistence import PersistenceError
from psycopg.conninfo import make_conninfo
from sqlalchemy.exc import SQLAlchemyError

from infrastructure.eventstore import psycopg_url
from infrastructure.nudges import ACTOR, QUEUE, Nudger
from infrastructure.policy_runner import PolicyRunner
from infrastructure.projection_runtime import ProjectionService

log = structlog.get_logger("gymgenius.workers")
CHANNEL = "gymgenius_events"
# What an outage of PostgreSQL or Redis raises through a catch-up: the safety net outlives them all.
STORE_ERRORS = (SQLAlchemyError, psycopg.Error, PersistenceError, redis.RedisError, OSError)


class CatchUp:
    """One wake-up of a worker: every read model is brought up to the head, then every policy."""

    def __init__(self, service: ProjectionService, nudger: Nudger,
                 policies: PolicyRunner | None = None) -> None:
        self.service, self.nudger, self.policies = service, nudger, policies
        self.followers: list[Callable[[], object]] = []  # further log readers (the role mirror)

    def __call__(self) -> None:
        self.nudger.taken()
        self.service.catch_up_all()
        if self.policies is not None:
            self.policies.run_all()
        for follower in self.followers:
            follower()

    def quietly(self) -> None:
        try:
            self()
        except STORE_ERRORS as error:
            log.warning("catch_up_failed", error=str(error))


def register_catch_up(broker: dramatiq.Broker, catch_up: CatchUp) -> dramatiq.Actor:
    def catch_up_actor() -> None:
        catch_up()

    return dramatiq.Actor(
        catch_up_actor, broker=broker, actor_name=ACTOR, queue_name=QUEUE,
        priority=0, options={"max_retries": 5, "min_backoff": 200, "max_backoff": 5000},
    )


class SafetyNet(threading.Thread):
    """Wakes the worker when PostgreSQL announces new events, and sweeps every `interval` s."""

    def __init__(self, catch_up: CatchUp, database_url: str | None, interval: float = 2.0) -> None:
        super().__init__(name="gymgenius-safety-net", daemon=True)
        self.catch_up, self.url, self.interval = catch_up, database_url, interval
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                self._listen() if self.url else self._sweep()
            except STORE_ERRORS as error:
                log.warning("safety_net_reconnecting", error=str(error))
                self.stopping.wait(self.interval)

    def _sweep(self) -> None:
        while not self.stopping.wait(self.interval):
            self.catch_up.quietly()

    def _listen(self) -> None:
        assert self.url is not None
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f'LISTEN "{CHANNEL}"')
            self.catch_up.quietly()
            while not self.stopping.is_set():
                for _ in conn.notifies(timeout=self.interval, stop_after=1):
                    pass
                self.catch_up.quietly()

    def stop(self, timeout: float = 30.0) -> None:
        """Stops sweeping and waits for a pass under way to end: the stores it reads are closed
        next, and SQLite crashes the process when its connection closes under a running query."""
        self.stopping.set()
        if self.is_alive() and threading.current_thread() is not self:
            self.join(timeout)


def listen_url(service: ProjectionService) -> str | None:
    settings = service.settings
    if settings.profile != "server":
        return None
    return make_conninfo(psycopg_url(settings), application_name=f"{settings.db_application_name}-listen")
