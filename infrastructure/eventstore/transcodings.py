"""How the domain's own types are written into, and read back from, stored events."""

from __future__ import annotations

import dataclasses
from datetime import date
from enum import Enum
from typing import Any

from eventsourcing.persistence import JSONTranscoder, Transcoding

from domain import gateway_notice, payment, plan, subscription, values, workout_session

DOMAIN_TYPES: list[type] = [
    values.Role,
    values.Money,
    workout_session.SessionStatus,
    workout_session.LoggedSet,
    workout_session.SessionSummary,
    *plan.VALUE_TYPES,
    *subscription.VALUE_TYPES,
    *payment.VALUE_TYPES,
    *gateway_notice.VALUE_TYPES,
]


class EnumAsValue(Transcoding):
    def __init__(self, enum_type: type[Enum]) -> None:
        self.type = enum_type
        self.name = f"enum:{enum_type.__module__}.{enum_type.__qualname__}"

    def encode(self, obj: Enum) -> Any:
        return obj.value

    def decode(self, data: Any) -> Enum:
        return self.type(data)


class DataclassAsDict(Transcoding):
    def __init__(self, value_type: type) -> None:
        self.type = value_type
        self.name = f"value:{value_type.__module__}.{value_type.__qualname__}"

    def encode(self, obj: Any) -> dict[str, Any]:
        return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}

    def decode(self, data: dict[str, Any]) -> Any:
        return self.type(**data)


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


def register_domain_types(transcoder: JSONTranscoder, types: list[type]) -> None:
    """Registers a transcoding for each enum and frozen dataclass the events carry."""
    transcoder.register(DateAsISO())
    for value_type in types:
        transcoding = (
            EnumAsValue(value_type) if issubclass(value_type, Enum) else DataclassAsDict(value_type)
        )
        transcoder.register(transcoding)
