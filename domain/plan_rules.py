"""What a generated plan must keep beyond the content rules: sane training loads, meals whose
calories match their macros, the asked number of days, and nothing the client is allergic to."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from domain.errors import InvalidValue
from domain.plan import PlanKind
from domain.plan_content import Exercise, Meal, PlanContent, meal_content, workout_content

SETS = (1, 10)
REPS = (1, 50)
REST_S = (15, 600)
CALORIE_TOLERANCE = 0.10


@dataclass(frozen=True)
class ClientProfile:
    """The parts of a client's profile a plan is built from (absent fields: sensible defaults)."""

    goal: str = "general"
    level: str = "beginner"
    diet: str = "omnivore"
    equipment: tuple[str, ...] = ()
    allergies: tuple[str, ...] = ()
    injuries: tuple[str, ...] = ()
    weight_kg: float | None = None

    @classmethod
    def of(cls, profile: dict[str, Any]) -> ClientProfile:
        return cls(
            goal=profile.get("goal") or "general", level=profile.get("level") or "beginner",
            diet=profile.get("diet") or "omnivore", weight_kg=profile.get("weight_kg"),
            equipment=tuple(profile.get("equipment") or ()), allergies=tuple(profile.get("allergies") or ()),
            injuries=tuple(profile.get("injuries") or ()),
        )


@dataclass(frozen=True)
class Checked:
    content: PlanContent | None
    errors: list[str] = field(default_factory=list)


def check_generated(kind: PlanKind, raw: Any, profile: ClientProfile, days: int) -> Checked:
    """The content if it keeps every rule, else every broken rule as a line to feed back."""
    try:
        content = workout_content(raw) if kind is PlanKind.WORKOUT else meal_content(raw)
    except InvalidValue as error:
        return Checked(None, [f"{error.field}: {error.message}"])
    errors = [] if len(content.days) == days else [f"content.days: give exactly {days} days"]
    for i, day in enumerate(content.days):
        for j, item in enumerate(getattr(day, "exercises", ()) or getattr(day, "meals", ())):
            errors += _item_errors(f"content.days[{i}][{j}]", item, profile.allergies)
    return Checked(None if errors else content, errors)


def printable(text: str) -> bool:
    """No control characters, no lone surrogates: text any store and any client can hold."""
    return not any(unicodedata.category(c) in ("Cc", "Cs") for c in text)


def _item_errors(path: str, item: Exercise | Meal, allergies: tuple[str, ...]) -> list[str]:
    if not printable(item.name):
        return [f"{path}.name: use printable text only"]
    errors = [f"{path}.name: {item.name!r} names {a!r}, which the client is allergic to"
              for a in allergies if names_allergen(item.name, a)]
    if isinstance(item, Exercise):
        return errors + _load_errors(path, item)
    low, high = item.macro_kcal * (1 - CALORIE_TOLERANCE), item.macro_kcal * (1 + CALORIE_TOLERANCE)
    if not low <= item.calories <= high:
        errors.append(f"{path}.calories: {item.calories} is not within 10% of 4*protein + 4*carbs"
                      f" + 9*fat = {item.macro_kcal}")
    return errors


def _load_errors(path: str, item: Exercise) -> list[str]:
    errors = [f"{path}.{name}: {value} is outside {low} to {high}"
              for name, value, (low, high) in (("sets", item.sets, SETS), ("reps", item.reps, REPS))
              if not low <= value <= high]
    if item.rest_s is None or not REST_S[0] <= item.rest_s <= REST_S[1]:
        errors.append(f"{path}.rest_s: give a rest of {REST_S[0]} to {REST_S[1]} seconds")
    return errors


def names_allergen(name: str, allergen: str) -> bool:
    """Whether a name mentions an allergen as a word or phrase ("Peanut butter toast" names
    "peanut" and "peanuts"; "Pineapple" does not name "apple")."""
    words = [re.escape(w) for w in re.findall(r"\w+", allergen.casefold())]
    if not words:
        return False
    pattern = r"\b" + r"\W+".join([*words[:-1], words[-1] + r"(?:s|es)?"]) + r"\b"
    stem = words[-1][:-1] if words[-1].endswith("s") and len(words[-1]) > 3 else None
    found = re.search(pattern, name.casefold()) is not None
    return found or (stem is not None and re.search(rf"\b{stem}\b", name.casefold()) is not None)
