"""What a plan holds: workout days of exercises, or meal days of meals, checked field by field."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from domain.errors import InvalidValue
from domain.values import require_text

MAX_DAYS = 90
MAX_ITEMS = 30


@dataclass(frozen=True)
class Exercise:
    name: str
    sets: int
    reps: int
    rest_s: int | None = None


@dataclass(frozen=True)
class Meal:
    name: str
    calories: int
    protein_g: int
    carbs_g: int
    fat_g: int

    @property
    def macro_kcal(self) -> int:
        return 4 * self.protein_g + 4 * self.carbs_g + 9 * self.fat_g


@dataclass(frozen=True)
class WorkoutDay:
    name: str
    exercises: tuple[Exercise, ...]

    def __post_init__(self) -> None:  # stored events give lists back; keep the value immutable
        object.__setattr__(self, "exercises", tuple(self.exercises))


@dataclass(frozen=True)
class MealDay:
    name: str
    meals: tuple[Meal, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "meals", tuple(self.meals))


@dataclass(frozen=True)
class PlanContent:
    """The days of a plan: each a WorkoutDay or a MealDay, never mixed."""

    days: tuple[WorkoutDay, ...] | tuple[MealDay, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "days", tuple(self.days))

    def as_json(self) -> dict[str, Any]:
        """The content as plain JSON, in the shape it was accepted in (no empty optionals)."""
        return _plain(asdict(self))


def workout_content(raw: Any) -> PlanContent:
    """Checks a workout plan's content: days of exercises with sets, reps and optional rest."""
    return PlanContent(_days(raw, "exercises", _exercise))


def meal_content(raw: Any) -> PlanContent:
    """Checks a meal plan's content: days of meals with calories and macros in grams."""
    return PlanContent(_days(raw, "meals", _meal))


def _days(raw: Any, items: str, parse: Callable[[Any, str], Any]) -> tuple[Any, ...]:
    body = _fields(raw, "content", required={"days"})
    days = _list(body["days"], "content.days", MAX_DAYS)
    parsed, seen = [], set()
    for i, day in enumerate(days):
        path = f"content.days[{i}]"
        fields = _fields(day, path, required={"name", items})
        name = require_text(f"{path}.name", fields["name"], 100)
        if name.casefold() in seen:
            raise InvalidValue(f"{path}.name", "day names must be unique within a plan")
        seen.add(name.casefold())
        entries = _list(fields[items], f"{path}.{items}", MAX_ITEMS)
        values = tuple(parse(entry, f"{path}.{items}[{j}]") for j, entry in enumerate(entries))
        parsed.append(WorkoutDay(name, values) if items == "exercises" else MealDay(name, values))
    return tuple(parsed)


def _exercise(raw: Any, path: str) -> Exercise:
    f = _fields(raw, path, required={"name", "sets", "reps"}, optional={"rest_s"})
    rest = f.get("rest_s")
    return Exercise(
        name=require_text(f"{path}.name", f["name"], 100),
        sets=_int(f["sets"], f"{path}.sets", 1, 20),
        reps=_int(f["reps"], f"{path}.reps", 1, 1000),
        rest_s=None if rest is None else _int(rest, f"{path}.rest_s", 0, 3600),
    )


def _meal(raw: Any, path: str) -> Meal:
    f = _fields(raw, path, required={"name", "calories", "protein_g", "carbs_g", "fat_g"})
    meal = Meal(
        name=require_text(f"{path}.name", f["name"], 100),
        calories=_int(f["calories"], f"{path}.calories", 0, 10_000),
        protein_g=_int(f["protein_g"], f"{path}.protein_g", 0, 1000),
        carbs_g=_int(f["carbs_g"], f"{path}.carbs_g", 0, 1000),
        fat_g=_int(f["fat_g"], f"{path}.fat_g", 0, 1000),
    )
    # Fibre and rounding let label macros overshoot the calories a little, never by far.
    if meal.macro_kcal > meal.calories * 1.25 + 50:
        raise InvalidValue(
            f"{path}.calories", f"the macros give {meal.macro_kcal} kcal, far above {meal.calories}"
        )
    return meal


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _fields(
    raw: Any, path: str, required: set[str], optional: frozenset[str] | set[str] = frozenset()
) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise InvalidValue(path, "must be an object")
    for key in sorted(required - raw.keys()):
        raise InvalidValue(f"{path}.{key}", "is required")
    for key in sorted(raw.keys() - required - optional, key=str):
        raise InvalidValue(f"{path}.{key}", "is not a known field")
    return raw


def _list(raw: Any, path: str, most: int) -> Sequence[Any]:
    if not isinstance(raw, list) or not 1 <= len(raw) <= most:
        raise InvalidValue(path, f"must be a list of 1 to {most} entries")
    return raw


def _int(raw: Any, path: str, low: int, high: int) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or not low <= raw <= high:
        raise InvalidValue(path, f"must be a whole number from {low} to {high}")
    return raw
