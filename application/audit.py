"""What auditors ask of the log: a payment's chain, an aggregate as it stood, a window's payment events."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from domain.hash_chain import GENESIS, chain_record, link_check, link_form, plain
from domain.payment import Payment
from domain.subscription import Subscription

PAGE = 1_000


@dataclass(frozen=True)
class LoggedEvent:
    """An event as the log holds it: its position, and the domain event (None if it cannot be read)."""

    position: int
    aggregate_id: UUID
    version: int
    event: Any


class AuditLog(Protocol):
    def events_of(self, aggregate_id: UUID) -> list[LoggedEvent]:
        """The aggregate's events in log order (by position)."""

    def payment_events(self, after_position: int, limit: int) -> list[LoggedEvent]:
        """Up to `limit` payment events after the position, in log order."""

    def payment_records(self, after_position: int, limit: int) -> list[dict[str, Any]]:
        """Up to `limit` chain records of payment events after the position, in log order, read
        from the stored form without building domain events: `position`, `payment_id` (str),
        `version`, `type`, `timestamp` (ISO 8601 text), `data`, `prev_hash`, `hash`."""


@dataclass
class ChainReport:
    """A payment's events as chain records, and where (if anywhere) the chain breaks."""

    payment_id: UUID
    events: list[dict[str, Any]]
    broken_at: int | None = None
    reason: str | None = None

    @property
    def chain_valid(self) -> bool:
        return self.broken_at is None


def published(record: dict[str, Any]) -> dict[str, Any]:
    """A record as auditors read it (JSON values, exactly as hashed), with the chain form its hash has."""
    form = link_form(record, record["prev_hash"]) if record["hash"] else None
    return {**plain(record), "chain": form}


def unreadable(position: int, payment_id: UUID, version: int) -> dict[str, Any]:
    return {
        "position": position,
        "payment_id": payment_id,
        "version": version,
        "type": UNREADABLE_TYPE,
        "timestamp": None,
        "data": {},
        "prev_hash": "",
        "hash": "",
    }


def audit_record(logged: LoggedEvent) -> dict[str, Any]:
    """The chain record of a logged event, with its position (an unreadable one keeps its place)."""
    if logged.event is None:
        return unreadable(logged.position, logged.aggregate_id, logged.version)
    return {"position": logged.position, "payment_id": logged.aggregate_id, **chain_record(logged.event)}


UNREADABLE_TYPE = "unreadable"
UNREADABLE = "the stored event cannot be read (it was edited)"


@dataclass
class ChainWalk:
    """Verifies every payment's chain in one pass over the log (state: one link per payment)."""

    heads: dict[UUID, tuple[str, int, int]] = field(default_factory=dict)  # id: hash, version, form
    broken: dict[UUID, tuple[int, str]] = field(default_factory=dict)  # id: position, why
    events: int = 0

    def step(self, record: dict[str, Any]) -> None:
        """Takes the next record (with its `position` and `payment_id`) of the log's payment events."""
        self.events += 1
        payment_id = record["payment_id"]
        if payment_id in self.broken:
            return
        prev_hash, version, newest = self.heads.get(payment_id, (GENESIS, 0, 1))
        why: str | None = UNREADABLE
        form = 0
        if record["type"] != UNREADABLE_TYPE:
            why, form = link_check(record, version + 1, prev_hash, newest)
        if why is not None:
            self.broken[payment_id] = (record["position"], why)
        else:
            self.heads[payment_id] = (record["hash"], record["version"], max(newest, form))

    def report(self, payment_id: UUID, records: list[dict[str, Any]]) -> ChainReport:
        found = self.broken.get(payment_id)
        return ChainReport(payment_id, records, *(found or (None, None)))


class Audit:
    """The auditors' application: reads the log only; fixes nothing."""

    def __init__(self, log: AuditLog) -> None:
        self.log = log

    def payment_chain(self, payment_id: UUID) -> ChainReport | None:
        logged = self.log.events_of(payment_id)
        if not any(_is_payment(e) for e in logged):
            return None
        records = [audit_record(e) for e in logged]
        walk = ChainWalk()
        for record in records:
            walk.step(record)
        return walk.report(payment_id, [{k: v for k, v in r.items() if k != "payment_id"} for r in records])

    def payment_as_of(self, payment_id: UUID, at: datetime | None, position: int | None) -> AsOf | None:
        """The payment rebuilt from its events up to the time or position (None: not yet there)."""
        return _as_of(self.log.events_of(payment_id), Payment, at, position)

    def subscription_as_of(
        self, subscription_id: UUID, at: datetime | None, position: int | None
    ) -> AsOf | None:
        return _as_of(self.log.events_of(subscription_id), Subscription, at, position)

    def payment_events(
        self, start: datetime | None, end: datetime | None, after_position: int = 0, page: int = PAGE
    ) -> Iterator[dict[str, Any]]:
        """Every payment event stamped in [start, end), in log order, read a page at a time."""
        for record in self.records(after_position, page):
            stamp = record["timestamp"] and datetime.fromisoformat(record["timestamp"])
            if stamp is None or ((start is None or stamp >= start) and (end is None or stamp < end)):
                yield published(record)

    def records(self, after_position: int = 0, page: int = PAGE) -> Iterator[dict[str, Any]]:
        """The chain records of the log's payment events (JSON values, as hashed), in log order."""
        while batch := self.log.payment_records(after_position, page):
            yield from batch
            after_position = batch[-1]["position"]

    def walk(self, after_position: int = 0, page: int = PAGE) -> Iterator[LoggedEvent]:
        while batch := self.log.payment_events(after_position, page):
            yield from batch
            after_position = batch[-1].position

    def verify_all(self, progress: Callable[[int], None] = lambda _: None) -> ChainWalk:
        """Every payment's chain, in one pass over the log."""
        walk = ChainWalk()
        for record in self.records():
            walk.step(record)
            progress(record["position"])
        return walk


def _is_payment(logged: LoggedEvent) -> bool:
    return isinstance(logged.event, Payment.Event)


@dataclass(frozen=True)
class AsOf:
    """An aggregate as it stood, and the position and time of the last event it includes."""

    aggregate: Any
    position: int
    timestamp: datetime


def _as_of(logged: list[LoggedEvent], kind: type, at: datetime | None, position: int | None) -> AsOf | None:
    state: AsOf | None = None
    for entry in logged:
        event = entry.event
        if event is None or not isinstance(event, kind.Event):  # type: ignore[attr-defined]
            return None
        if (at is not None and event.timestamp > at) or (position is not None and entry.position > position):
            break
        state = AsOf(event.mutate(state.aggregate if state else None), entry.position, event.timestamp)
    return state
