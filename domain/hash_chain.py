"""Tamper-evident event chains: each event's hash covers its predecessor's hash and its own content."""

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
ENVELOPE = frozenset({"originator_id", "originator_version", "timestamp", "originator_topic"})
LINK_FIELDS = frozenset({"prev_hash", "hash"})


def link_hash(prev_hash: str, event_type: str, version: int, data: Mapping[str, Any]) -> str:
    """SHA-256 hex of the previous hash followed by the event's canonical JSON."""
    return hashlib.sha256((prev_hash + canonical_json(event_type, version, data)).encode()).hexdigest()


def canonical_json(event_type: str, version: int, data: Mapping[str, Any]) -> str:
    body = {"type": event_type, "version": version, "data": dict(data)}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), default=_plain)


def hashed_data(event_class: type, data: Mapping[str, Any]) -> dict[str, Any]:
    """The data a link's hash covers: a field added to an event class after events of it were
    stored (its `added_later`) is left out while it is None, so the old chains still verify."""
    later: frozenset[str] = getattr(event_class, "added_later", frozenset())
    return {k: v for k, v in data.items() if not (k in later and v is None)}


def chain_record(domain_event: Any) -> dict[str, Any]:
    """The (type, version, data, prev_hash, hash) record of a stored or pending domain event."""
    data = hashed_data(type(domain_event), {
        f.name: getattr(domain_event, f.name)
        for f in dataclasses.fields(domain_event)
        if f.name not in ENVELOPE | LINK_FIELDS
    })
    return {
        "type": type(domain_event).__name__,
        "version": domain_event.originator_version,
        "data": data,
        "prev_hash": domain_event.prev_hash,
        "hash": domain_event.hash,
    }


def verify_chain(records: Iterable[Mapping[str, Any]]) -> bool:
    """True when the records, in order from version 1, link up and each hash matches its content."""
    prev_hash = GENESIS
    for expected_version, record in enumerate(records, start=1):
        if record["version"] != expected_version or record["prev_hash"] != prev_hash:
            return False
        if record["hash"] != link_hash(prev_hash, record["type"], record["version"], record["data"]):
            return False
        prev_hash = record["hash"]
    return True


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
