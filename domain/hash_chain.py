"""Tamper-evident event chains: each event's hash covers its predecessor's hash and its own content.

Two forms of link, told apart by the hash itself: chain 1 (events written before the chain covered
timestamps) hashes `{"data", "type", "version"}`; chain 2 hashes `{"chain": 2, "data", "timestamp",
"type", "version"}`. A chain may start with chain-1 links, but once a link is chain 2 every later
one must be too, so a stored timestamp can never be edited by passing a link off as the old form.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

GENESIS = "0" * 64
CHAIN = 2
ENVELOPE = frozenset({"originator_id", "originator_version", "timestamp", "originator_topic"})
LINK_FIELDS = frozenset({"prev_hash", "hash"})


def link_hash(
    prev_hash: str, event_type: str, version: int, data: Mapping[str, Any], timestamp: datetime | None = None
) -> str:
    """SHA-256 hex of the previous hash followed by the event's canonical JSON (chain 2 with a
    timestamp, chain 1 without)."""
    body = canonical_json(event_type, version, data, timestamp)
    return hashlib.sha256((prev_hash + body).encode()).hexdigest()


def canonical_json(
    event_type: str, version: int, data: Mapping[str, Any], timestamp: datetime | str | None = None
) -> str:
    """Sorted keys, no spaces, non-ASCII escaped as \\uXXXX (Python's `json.dumps` defaults)."""
    body: dict[str, Any] = {"type": event_type, "version": version, "data": dict(data)}
    if timestamp is not None:
        body |= {"chain": CHAIN, "timestamp": timestamp}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), default=_plain)


def hashed_data(event_class: type, data: Mapping[str, Any]) -> dict[str, Any]:
    """The data a link's hash covers: a field added to an event class after events of it were
    stored (its `added_later`) is left out while it is None, so the old chains still verify."""
    later: frozenset[str] = getattr(event_class, "added_later", frozenset())
    return {k: v for k, v in data.items() if not (k in later and v is None)}


def chain_record(domain_event: Any) -> dict[str, Any]:
    """The (type, version, timestamp, data, prev_hash, hash) record of a stored or pending event."""
    data = hashed_data(type(domain_event), {
        f.name: getattr(domain_event, f.name)
        for f in dataclasses.fields(domain_event)
        if f.name not in ENVELOPE | LINK_FIELDS
    })
    return {
        "type": type(domain_event).__name__,
        "version": domain_event.originator_version,
        "timestamp": domain_event.timestamp,
        "data": data,
        "prev_hash": domain_event.prev_hash,
        "hash": domain_event.hash,
    }


@dataclasses.dataclass(frozen=True)
class ChainBreak:
    """Where a chain stops verifying: the index of the first bad record and why."""

    index: int
    reason: str


def link_form(record: Mapping[str, Any], prev_hash: str) -> int | None:
    """The chain form (2 or 1) whose hash the record carries, given its predecessor's; None if neither."""
    for form, timestamp in ((2, record.get("timestamp")), (1, None)):
        if form == 2 and timestamp is None:
            continue
        digest = link_hash(prev_hash, record["type"], record["version"], record["data"], timestamp)
        if record["hash"] == digest:
            return form
    return None


def find_break(records: Iterable[Mapping[str, Any]]) -> ChainBreak | None:
    """The first record that does not link up or whose hash does not match its content, or None."""
    prev_hash, newest_form = GENESIS, 1
    for index, record in enumerate(records):
        reason, form = link_check(record, index + 1, prev_hash, newest_form)
        if reason is not None:
            return ChainBreak(index, reason)
        newest_form, prev_hash = max(newest_form, form), record["hash"]
    return None


def verify_chain(records: Iterable[Mapping[str, Any]]) -> bool:
    """True when the records, in order from version 1, link up and each hash matches its content."""
    return find_break(records) is None


def link_check(
    record: Mapping[str, Any], expected_version: int, prev_hash: str, newest_form: int
) -> tuple[str | None, int]:
    """Why the record is not the next link after `prev_hash` (None when it is), and its form."""
    if record["version"] != expected_version:
        got = record["version"]
        return f"version {got} where {expected_version} was expected (an event is missing or moved)", 0
    if record["prev_hash"] != prev_hash:
        return "prev_hash is not the previous event's hash (an event is missing or moved)", 0
    form = link_form(record, prev_hash)
    if form is None:
        return "hash does not match the event's content (the event was edited)", 0
    if form < newest_form:
        return "a chain-1 link after a chain-2 link (the timestamp is not covered)", form
    return None, form


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    raise TypeError(f"{type(value).__name__} has no canonical JSON form")


def plain(value: Any) -> Any:
    """The value as JSON gives it back: what the canonical form writes for it."""
    return json.loads(json.dumps(value, default=_plain))
