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
from infrastructure.metrics import HOT_STAND_INS
from infrastructure.nudges import ACTOR, QUEUE, Nudger
from infrastructure.policy_runner import PolicyRunner
from infrastructure.projection_runtime import ProjectionService

log = structlog.get_logger("gymgenius.workers")
# What an outage of PostgreSQL or Redis raises through a catch-up: the safety net outlives them all.
STOP_CHECK_S = 0.5  # how soon a listening safety net notices it is asked to stop
STORE_ERRORS = (SQLAlchemyError, psycopg.Error, PersistenceError, redis.RedisError, OSError)


class Lane(threading.Thread):
    """Runs `work` on every wake-up, in a thread of its own; a wake-up during a pass runs one
    more pass after it, and with none it passes every `interval` s anyway. Errors an outage
    raises are logged, and the next pass waits a while."""

    def __init__(self, name: str, work: Callable[[], object], interval: float = 2.0) -> None:
        super().__init__(name=name, daemon=True)
        self.work, self.interval = work, interval
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
                self.work()
            except STORE_ERRORS as error:
                log.warning("lane_pass_failed", lane=self.name, error=str(error))
                self.stopping.wait(self.interval)

    def stop(self, timeout: float = 30.0) -> None:
        self.stopping.set()
        self.woken.set()
        if self.is_alive() and threading.current_thread() is not self:
            self.join(timeout)


def hot_lane(service: ProjectionService, interval: float = 2.0) -> Lane:
    """The hot read models (chat messages) caught up on every wake-up, in a thread of their own,
    so that a push somebody is waiting for never queues behind the other read models."""
    return Lane("gymgenius-hot-lane", service.catch_up_hot, interval)


class CatchUp:
    """One wake-up of a worker: every read model is brought up to the head, then every policy.
    While a hot lane runs in the process, it is woken for the hot read models first."""

    def __init__(self, service: ProjectionService, nudger: Nudger,
                 policies: PolicyRunner | None = None, *, leave_hot: bool = False,
                 spacing_s: float = 0.0, hot_grace_s: float = 5.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.service, self.nudger, self.policies = service, nudger, policies
        self.followers: list[Callable[[], object]] = []  # further log readers (the role mirror)
        self.hot_lane: Lane | None = None
        self.leave_hot = leave_hot  # the hot read models are a hot-lane process's (GYMGENIUS_HOT_LANE)
        self.spacing_s = spacing_s  # background passes begin at least this far apart
        self._flight = threading.Lock()
        self._flying = self._again = False
        self._began = float("-inf")
        # Left to hot-lane processes, the hot read models are still watched: one behind the head and
        # not moving for `hot_grace_s` is caught up here (see `_stand_in`)
        self.hot_grace_s, self._clock = hot_grace_s, clock
        self._hot_checked = float("-inf")

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
            if self.leave_hot:
                self._stand_in()
        else:
            self.service.catch_up_all()
        if self.policies is not None:
            self.policies.run_all()
        for follower in self.followers:
            follower()

    def _stand_in(self) -> None:
        """A worker that leaves the hot read models to hot-lane processes catches them up itself
        while they have been behind the head without moving for `hot_grace_s`: no hot-lane process
        is up, or it is stuck. A chat message is then delivered a few seconds late, never lost in
        the wait. Looked at once a second at most (a positions read and the head), which also
        reports the hot models' lag and stalls from the workers."""
        now = self._clock()
        if now - self._hot_checked < 1.0:
            return
        self._hot_checked = now
        still = self.service.observe_hot()
        stuck = sorted(name for name, seconds in still.items() if seconds >= self.hot_grace_s)
        if stuck:
            log.warning("hot_lane_stand_in", models=stuck, still_s=round(max(still[n] for n in stuck), 1))
            HOT_STAND_INS.inc()
            self.service.catch_up_hot()

    def spaced(self) -> None:
        """A background wake-up (a nudge, a NOTIFY): one such pass at a time in this process,
        each begun at least `spacing_s` after the one before, and a wake-up that comes during a
        pass runs one more after it (none is lost). While events keep coming, each pass takes
        the batch that came meanwhile, instead of every read model and policy paying a whole
        pass for each event. The hot lane is woken at once all the same."""
        self.wake_hot()
        with self._flight:
            if self._flying:
                self._again = True
                return
            self._flying = True
        try:
            while True:
                rest = self._began + self.spacing_s - time.monotonic()
                if rest > 0:
                    time.sleep(rest)
                self._began = time.monotonic()
                self()
                with self._flight:
                    if not self._again:
                        self._flying = False
                        return
                    self._again = False
        except BaseException:
            with self._flight:
                self._flying = False
            raise

    def quietly(self, *, spaced: bool = False) -> None:
        try:
            self.spaced() if spaced else self()
        except STORE_ERRORS as error:
            log.warning("catch_up_failed", error=str(error))


def register_catch_up(broker: dramatiq.Broker, catch_up: CatchUp) -> dramatiq.Actor:
    def catch_up_actor() -> None:
        catch_up.spaced()

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
        self.hot_lane = hot_lane(catch_up.service, interval) if database_url and models != "cold" else None
        # the passes over the other read models and the policies, so that waking them never
        # holds up the next announcement (and the hot lane's wake-up with it)
        self.cold_lane = Lane("gymgenius-cold-lane", lambda: catch_up.quietly(spaced=True), interval) \
            if database_url and models != "hot" else None

    def start(self) -> None:
        if self.hot_lane is not None:
            self.hot_lane.start()
            self.catch_up.hot_lane = self.hot_lane
        if self.cold_lane is not None:
            self.cold_lane.start()
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
        self.catch_up.wake_hot()
        if self.cold_lane is not None:
            self.cold_lane.wake()

    def stop(self, timeout: float = 30.0) -> None:
        """Stops sweeping and waits for a pass under way to end: the stores it reads are closed
        next, and SQLite crashes the process when its connection closes under a running query."""
        self.stopping.set()
        if self.cold_lane is not None:
            self.cold_lane.stop(timeout)
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
