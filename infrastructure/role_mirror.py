"""Mirrors each role change to the identity provider (Firebase's custom claim `role`, and the
user's refresh tokens revoked), after the event, driven by the log like a policy: one owner at a
time, its own tracked position, and a ledger keyed by the event (`policy_key`), so a change is
mirrored once even when the log is read again. A mirror that stays unavailable after a few tries
leaves the position at that event: the next wake-up tries again, in order; one it refuses for
good (any other error) is that event's dead letter, and the runner goes on."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import structlog
from prometheus_client import Counter
from sqlalchemy import Column, DateTime, Engine, MetaData, String, Table, insert, select, update

from application.identity import IdentityMirror, MirrorUnavailable
from application.policies import policy_key
from domain.user import User
from domain.values import Role
from infrastructure.policy_runner import claimed, tracking_name
from projections.model import EventSource
from projections.schema import dead_letters, positions
from projections.tracking import tracked_position

log = structlog.get_logger("gymgenius.role_mirror")
MIRRORED = Counter("gymgenius_role_mirror_total", "Role changes mirrored to the identity provider",
                   ["outcome"])
NAME = "role-mirror"

role_mirrors = Table(
    "role_mirrors", MetaData(),
    Column("key", String(200), primary_key=True),
    Column("uid", String(128), nullable=False),
    Column("role", String(20), nullable=False),
    Column("mirrored_at", DateTime(timezone=True), nullable=False),
)


class LoggingMirror:
    """The embedded and development mirror: no identity provider, so it only says what it would do."""

    def mirror_role(self, uid: str, role: Role) -> None:
        log.info("role_mirrored", uid=uid, role=role.value, provider="none")


class RoleMirrorRunner:
    def __init__(self, engine: Engine, source: EventSource, mirror: IdentityMirror, *,
                 attempts: int = 3, backoff_s: float = 0.2,
                 pause: Callable[[float], None] = time.sleep, batch_size: int = 100) -> None:
        self.engine, self.source, self.mirror = engine, source, mirror
        self._running = threading.Lock()
        self.attempts, self.backoff_s, self.pause, self.batch_size = attempts, backoff_s, pause, batch_size

    def run(self) -> int:
        """Mirrors every role change after the tracked position; answers how many events it read.
        One run at a time: in this process by a local lock (the embedded profile's only lock),
        across processes by the advisory lock."""
        if not self._running.acquire(blocking=False):
            return 0
        try:
            with claimed(self.engine, NAME) as held:
                if not held:
                    return 0
                total = 0
                while True:
                    read, complete = self._step()
                    total += read
                    if not complete or read < self.batch_size:
                        return total
        finally:
            self._running.release()

    def _step(self) -> tuple[int, bool]:
        with self.engine.begin() as conn:
            after = tracked_position(conn, tracking_name(NAME))
        events = self.source.read(after, self.batch_size)
        reached, complete = after, True
        for position, event in events:
            if isinstance(event, User.RoleChanged) and not self._mirrored(position, event):
                complete = False
                break
            reached = position
        if reached != after:
            with self.engine.begin() as conn:
                conn.execute(update(positions).where(positions.c.name == tracking_name(NAME))
                             .values(position=reached))
        return len(events), complete

    def _mirrored(self, position: int, event: Any) -> bool:
        key = policy_key(NAME, event)
        with self.engine.begin() as conn:
            if conn.execute(select(role_mirrors.c.key).where(role_mirrors.c.key == key)).first():
                return True
        if not self._call(position, event):
            return False
        with self.engine.begin() as conn:
            conn.execute(insert(role_mirrors).values(key=key, uid=event.uid, role=event.role,
                                                     mirrored_at=datetime.now(UTC)))
        return True

    def _call(self, position: int, event: Any) -> bool:
        for attempt in range(self.attempts):
            try:
                self.mirror.mirror_role(event.uid, Role(event.role))
                MIRRORED.labels("done").inc()
                return True
            except MirrorUnavailable as error:
                MIRRORED.labels("retried").inc()
                log.warning("role_mirror_unavailable", attempt=attempt + 1, error=str(error))
                if attempt + 1 < self.attempts:
                    self.pause(self.backoff_s * 2**attempt)
            except Exception as error:  # noqa: BLE001 - a provider's refusal is this event's dead letter
                self._refused(position, event, error)
                return True
        return False

    def _refused(self, position: int, event: Any, error: Exception) -> None:
        MIRRORED.labels("refused").inc()
        log.error("role_mirror_refused", error=repr(error))
        with self.engine.begin() as conn:
            conn.execute(insert(dead_letters).values(
                projection=tracking_name(NAME), position=position, event_type=type(event).__qualname__,
                originator_id=str(event.originator_id), error=repr(error)[:2000]))
