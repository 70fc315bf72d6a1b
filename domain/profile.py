"""A user's profile as the apps and the plan generator need it, and the rules each field keeps."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from enum import Enum
from typing import Any

from domain.errors import InvalidValue
from domain.values import require_text


class Goal(Enum):
    STRENGTH = "strength"
    HYPERTROPHY = "hypertrophy"
    FAT_LOSS = "fat_loss"
    ENDURANCE = "endurance"
    GENERAL = "general"


class Level(Enum):
    BEGINNER = "beginner"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"


class Diet(Enum):
    OMNIVORE = "omnivore"
    VEGETARIAN = "vegetarian"
    EGGETARIAN = "eggetarian"
    VEGAN = "vegan"


MAX_NAME = 100
MAX_ITEMS, MAX_ITEM = 30, 100
HEIGHT_CM = (50.0, 272.0)
WEIGHT_KG = (20.0, 400.0)
FIRST_BIRTH_YEAR = 1900
_PHONE = re.compile(r"\+?[0-9]{7,15}")
_PHONE_PUNCTUATION = re.compile(r"[\s().-]")


def _choice(enum: type[Enum]) -> Callable[[str, Any, datetime], str]:
    def check(field: str, value: Any, at: datetime) -> str:
        try:
            return str(enum(value).value)
        except ValueError:
            raise InvalidValue(field, "must be one of " + ", ".join(str(e.value) for e in enum)) from None
    return check


def _name(field: str, value: Any, at: datetime) -> str:
    return require_text(field, value, MAX_NAME)


def _phone(field: str, value: Any, at: datetime) -> str:
    digits = _PHONE_PUNCTUATION.sub("", value) if isinstance(value, str) else ""
    if not _PHONE.fullmatch(digits):
        raise InvalidValue(field, "must be a phone number of 7 to 15 digits, optionally after +")
    return digits


def _items(field: str, value: Any, at: datetime) -> list[str]:
    if not isinstance(value, list) or len(value) > MAX_ITEMS:
        raise InvalidValue(field, f"must be a list of at most {MAX_ITEMS} texts")
    kept: list[str] = []
    for item in value:
        text = require_text(field, item, MAX_ITEM)
        if text.casefold() not in (k.casefold() for k in kept):
            kept.append(text)
    return kept


def _measure(bounds: tuple[float, float]) -> Callable[[str, Any, datetime], float]:
    def check(field: str, value: Any, at: datetime) -> float:
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if not number or not bounds[0] <= value <= bounds[1]:
            raise InvalidValue(field, f"must be a number from {bounds[0]:g} to {bounds[1]:g}")
        return round(float(value), 1)
    return check


def _birth_year(field: str, value: Any, at: datetime) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not FIRST_BIRTH_YEAR <= value <= at.year:
        raise InvalidValue(field, f"must be a year from {FIRST_BIRTH_YEAR} to {at.year}")
    return value


FIELDS: dict[str, Callable[[str, Any, datetime], Any]] = {
    "display_name": _name, "phone": _phone, "goal": _choice(Goal), "level": _choice(Level),
    "equipment": _items, "diet": _choice(Diet), "allergies": _items, "injuries": _items,
    "height_cm": _measure(HEIGHT_CM), "weight_kg": _measure(WEIGHT_KG), "birth_year": _birth_year,
}


def profile_changes(changes: dict[str, Any], at: datetime) -> dict[str, Any]:
    """The changes, each checked and normalised; `None` clears a field."""
    if not isinstance(changes, dict) or not changes:
        raise InvalidValue("profile", "give at least one field to change")
    unknown = sorted(set(changes) - set(FIELDS))
    if unknown:
        raise InvalidValue(unknown[0], "is not a profile field")
    return {f: None if v is None else FIELDS[f](f, v, at) for f, v in changes.items()}
