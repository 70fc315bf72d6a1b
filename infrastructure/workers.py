"""Projection workers: catch up on a nudge, on PostgreSQL's NOTIFY, or on a periodic sweep."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Literal

import dramatiq
import psycopg
import redis
import structlog
from eventsourcing.persistence import PersistenceError
from psycopg.conninfo import make_conninfo
from psycopg.sql import SQL, Identifier
from sqlalchemy.exc import SQLAlchemyError

from infrastructure.eventstore import psycopg_url
from infrastructure.nudges import ACTOR, QUEUE, Nudger
from infrastructure.policy_runner import PolicyRunner
from infrastructure.projection_runtime import ProjectionService

log = structlog.get_logger("gymgenius.workers")
# What an outage of PostgreSQL or Redis raises through a catch-up: the safety net outlives them all.
STOP_CHECK_S = 0.5  # how soon a listening safety net notices it is asked to stop
STORE_ERRORS = (SQLAlchemyError, psycopg.Error, PersistenceError, redis.RedisError, OSError)


class HotLane(threading.Thread):
    """Catches up the hot read models (chat messages) on every wake-up, in a thread of their own,
    so that a push someone is waiting for never queues behind the other read models' catch-up.
    A wake-up during a pass runs one more pass; with none, it passes every `interval` s anyway."""

    def __init__(self, service: ProjectionService, interval: float = 2.0) -> None:
        super().__init__(name="gymgenius-hot-lane", daemon=True)
        self.service, self.interval = service, interval
        self.woken, self.stopping = threading.Event(), threading.Event()

    def wake(self) -> None:
        self.woken.set()

    def run(self) -> None:
        while not self.stopping.is_set():
            self.woken.wait(self.interval)
            self.woken.clear()
            if self.stopping.is_set():
                return
            try:
                self.service.catch_up_hot()
            except STORE_ERRORS as error:
                log.warning("hot_catch_up_failed", error=str(error))
                self.stopping.wait(self.interval)

    def stop(self, timeout: float = 30.0) -> None:
        self.stopping.set()
        self.woken.set()
        if self.is_alive() and threading.current_thread() is not self:
            self.join(timeout)


class CatchUp:
    """One wake-up of a worker: every read model is brought up to the head, then every policy.
    While a hot lane runs in the process, it is woken for the hot read models first."""

    def __init__(self, service: ProjectionService, nudger: Nudger,
                 policies: PolicyRunner | None = None, *, leave_hot: bool = False) -> None:
        self.service, self.nudger, self.policies = service, nudger, policies
        self.followers: list[Callable[[], object]] = []  # further log readers (the role mirror)
        self.hot_lane: HotLane | None = None
        self.leave_hot = leave_hot  # the hot read models are a hot-lane process's (GYMGENIUS_HOT_LANE)

    def wake_hot(self) -> bool:
        """Wakes the hot lane; False when none runs here."""
        lane = self.hot_lane
        if lane is None or not lane.is_alive():
            return False
        lane.wake()
        return True

    def __call__(self) -> None:
        self.nudger.taken()
        if self.leave_hot or self.wake_hot():
            self.service.catch_up_all(cold_only=True)
        else:
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
    """Wakes the worker when PostgreSQL announces new events (the event store's NOTIFY on
    `channel`, sent as each write commits), and sweeps every `interval` s. On PostgreSQL it also
    runs the process's hot lane, which each announcement wakes at once.

    `models` says what this process catches up: `all`; `cold`, all but the hot read models (a
    hot-lane process has them); `hot`, only those (that process: no catch-up of the others, no
    policies)."""

    def __init__(self, catch_up: CatchUp, database_url: str | None, interval: float = 2.0,
                 channel: str = "", *, models: Literal["all", "cold", "hot"] = "all") -> None:
        super().__init__(name="gymgenius-safety-net", daemon=True)
        self.catch_up, self.url, self.interval, self.channel = catch_up, database_url, interval, channel
        self.stopping = threading.Event()
        self.models = models
        self.hot_lane = HotLane(catch_up.service, interval) if database_url and models != "cold" else None

    def start(self) -> None:
        if self.hot_lane is not None:
            self.hot_lane.start()
            self.catch_up.hot_lane = self.hot_lane
        super().start()

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
            conn.execute(SQL("LISTEN {}").format(Identifier(self.channel)))
            self._pass()
            swept = time.monotonic()
            while not self.stopping.is_set():
                announced = False
                for _ in conn.notifies(timeout=min(self.interval, STOP_CHECK_S), stop_after=1):
                    announced = True
                    self.catch_up.wake_hot()
                if not announced and time.monotonic() - swept < self.interval:
                    continue
                for _ in conn.notifies(timeout=0):  # those that came meanwhile: one catch-up for all
                    pass
                self._pass()
                swept = time.monotonic()

    def _pass(self) -> None:
        if self.models == "hot":
            self.catch_up.wake_hot()
        else:
            self.catch_up.quietly()

    def stop(self, timeout: float = 30.0) -> None:
        """Stops sweeping and waits for a pass under way to end: the stores it reads are closed
        next, and SQLite crashes the process when its connection closes under a running query."""
        self.stopping.set()
        if self.hot_lane is not None:
            if self.catch_up.hot_lane is self.hot_lane:
                self.catch_up.hot_lane = None
            self.hot_lane.stop(timeout)
        if self.is_alive() and threading.current_thread() is not self:
            self.join(timeout)


def listen_url(service: ProjectionService) -> str | None:
    settings = service.settings
    if settings.profile != "server":
        return None
    return make_conninfo(psycopg_url(settings), application_name=f"{settings.db_application_name}-listen")
