"""The offline plan generator: a workout or meal plan from a client's profile by fixed rules, with
no model to call. Deterministic; it keeps the same rules a generated plan is checked against."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from domain.plan import PlanKind
from domain.plan_rules import ClientProfile, names_allergen

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
FOCUS = ("Lower body", "Upper body", "Full body", "Conditioning")
GROUPS = {"Lower body": ("legs", "hinge", "core"), "Upper body": ("push", "pull", "core"),
          "Full body": ("legs", "push", "pull", "core"), "Conditioning": ("cardio", "legs", "core")}
LOADS = {  # goal: reps, rest in seconds
    "strength": (5, 180), "hypertrophy": (10, 90), "fat_loss": (12, 45), "endurance": (15, 30),
    "general": (10, 60),
}
SETS = {"beginner": 3, "intermediate": 4, "advanced": 5}


@dataclass(frozen=True)
class Move:
    name: str
    group: str
    needs: str | None = None  # an equipment word the client must have
    strains: tuple[str, ...] = ()  # body parts an injury there rules it out


MOVES = (
    Move("Barbell back squat", "legs", "barbell", ("knee", "back")),
    Move("Goblet squat", "legs", "dumbbell", ("knee",)),
    Move("Bodyweight squat", "legs", None, ("knee",)),
    Move("Glute bridge", "legs"),
    Move("Step-up", "legs", None, ("knee", "ankle")),
    Move("Romanian deadlift", "hinge", "barbell", ("back", "hamstring")),
    Move("Dumbbell Romanian deadlift", "hinge", "dumbbell", ("back", "hamstring")),
    Move("Kettlebell swing", "hinge", "kettlebell", ("back",)),
    Move("Single-leg hip hinge", "hinge", None, ("ankle",)),
    Move("Bird dog", "hinge"),
    Move("Bench press", "push", "barbell", ("shoulder", "elbow", "wrist")),
    Move("Dumbbell floor press", "push", "dumbbell", ("shoulder", "elbow")),
    Move("Push-up", "push", None, ("shoulder", "wrist", "elbow")),
    Move("Incline wall push-up", "push", None, ("wrist",)),
    Move("Band chest press", "push", "band", ("shoulder",)),
    Move("Pull-up", "pull", "pull-up bar", ("shoulder", "elbow")),
    Move("Dumbbell row", "pull", "dumbbell", ("back",)),
    Move("Band row", "pull", "band"),
    Move("Towel row", "pull", None, ("elbow",)),
    Move("Prone Y raise", "pull", None, ("shoulder",)),
    Move("Plank", "core", None, ("shoulder", "wrist")),
    Move("Dead bug", "core"),
    Move("Side plank", "core", None, ("shoulder",)),
    Move("Brisk walk", "cardio", None, ("ankle",)),
    Move("Cycling", "cardio", "bike", ("knee",)),
    Move("Jumping jacks", "cardio", None, ("knee", "ankle")),
    Move("Marching in place", "cardio"),
)
LAST_MOVES = ("Breathing drill", "Mobility flow", "Gentle stretching", "Rest walk")


@dataclass(frozen=True)
class Dish:
    name: str
    slot: str
    protein_g: int
    carbs_g: int
    fat_g: int
    diet: str  # the least strict diet that excludes it: vegan < vegetarian < eggetarian < omnivore
    contains: tuple[str, ...] = ()


DIETS = {"vegan": 0, "vegetarian": 1, "eggetarian": 2, "omnivore": 3}
DAIRY, WHEAT, PEANUT = ("milk", "dairy", "lactose"), ("wheat", "gluten"), ("peanut", "groundnut", "nut")
DISHES = (
    Dish("Poha with peanuts", "Breakfast", 10, 60, 12, "vegan", PEANUT),
    Dish("Oats with milk and banana", "Breakfast", 18, 65, 9, "vegetarian", (*DAIRY, "oat")),
    Dish("Masala omelette with toast", "Breakfast", 24, 30, 16, "eggetarian", ("egg", *WHEAT)),
    Dish("Moong dal chilla", "Breakfast", 20, 40, 8, "vegan", ("lentil", "legume")),
    Dish("Vegetable upma", "Breakfast", 9, 55, 10, "vegan", (*WHEAT, "semolina")),
    Dish("Rajma chawal", "Lunch", 22, 85, 10, "vegan", ("bean", "legume")),
    Dish("Paneer bhurji with roti", "Lunch", 30, 50, 22, "vegetarian", DAIRY + WHEAT),
    Dish("Chicken curry with rice", "Lunch", 40, 70, 15, "omnivore", ("chicken", "meat")),
    Dish("Tofu stir-fry with rice", "Lunch", 28, 70, 14, "vegan", ("soy", "soya", "tofu")),
    Dish("Vegetable pulao with cucumber raita", "Lunch", 14, 80, 12, "vegetarian", DAIRY),
    Dish("Greek yogurt with berries", "Snack", 17, 20, 4, "vegetarian", DAIRY),
    Dish("Roasted makhana", "Snack", 5, 25, 4, "vegan", ("lotus seed",)),
    Dish("Fruit bowl", "Snack", 2, 35, 1, "vegan", ("fruit",)),
    Dish("Roasted chana", "Snack", 10, 30, 4, "vegan", ("chickpea", "legume")),
    Dish("Dal khichdi", "Dinner", 20, 75, 9, "vegan", ("lentil", "legume")),
    Dish("Grilled fish with quinoa", "Dinner", 38, 45, 12, "omnivore", ("fish", "seafood")),
    Dish("Egg bhurji with roti", "Dinner", 26, 45, 18, "eggetarian", ("egg", *WHEAT)),
    Dish("Palak paneer with rice", "Dinner", 26, 60, 20, "vegetarian", (*DAIRY, "spinach")),
    Dish("Chickpea and vegetable curry with rice", "Dinner", 18, 80, 12, "vegan", ("chickpea", "legume")),
)
LAST_DISHES = (Dish("Steamed rice with vegetables", "Meal", 8, 90, 3, "vegan"),
               Dish("Boiled potatoes with herbs", "Meal", 6, 60, 1, "vegan"),
               Dish("Vegetable soup", "Meal", 5, 30, 3, "vegan"))
SHARES = {"Breakfast": 0.25, "Lunch": 0.35, "Snack": 0.10, "Dinner": 0.30}
MAX_MEAL_KCAL = 4000
KCAL_PER_KG = {"fat_loss": 25, "strength": 33, "hypertrophy": 34, "endurance": 33, "general": 30}


def fallback_plan(kind: PlanKind, profile: ClientProfile, days: int) -> tuple[str, dict[str, Any]]:
    """A title and content for the profile, the same every time for the same profile."""
    if kind is PlanKind.WORKOUT:
        title = f"{profile.goal.replace('_', ' ').capitalize()} training, {days} days a week"
        return title, {"days": [_workout_day(i, profile) for i in range(days)]}
    kcal = round(KCAL_PER_KG.get(profile.goal, 30) * (profile.weight_kg or 70))
    return f"Meal plan, about {kcal} kcal a day", {"days": [_meal_day(i, profile, kcal) for i in range(days)]}


def _workout_day(i: int, profile: ClientProfile) -> dict[str, Any]:
    focus = FOCUS[i % len(FOCUS)]
    reps, rest = LOADS.get(profile.goal, LOADS["general"])
    sets = SETS.get(profile.level, 3)
    names = [n for g in GROUPS[focus] if (n := _pick(_moves(g, profile), i))]
    names = names or [_safe(LAST_MOVES, profile)]
    return {"name": f"Day {i + 1}: {focus}",
            "exercises": [{"name": n, "sets": sets, "reps": reps, "rest_s": rest} for n in names]}


def _moves(group: str, profile: ClientProfile) -> list[str]:
    equipment = " ".join(profile.equipment).casefold()
    injuries = " ".join(profile.injuries).casefold()
    return [m.name for m in MOVES if m.group == group
            and (m.needs is None or m.needs in equipment)
            and not any(part in injuries for part in m.strains)
            and not _allergic(m.name, (), profile)]


def _meal_day(i: int, profile: ClientProfile, kcal: int) -> dict[str, Any]:
    meals = [_portion(d, round(kcal * share)) for slot, share in SHARES.items()
             if (d := _pick(_dishes(slot, profile), i))]
    return {"name": WEEKDAYS[i % 7], "meals": meals or [_portion(_last_dish(profile), kcal)]}


def _dishes(slot: str, profile: ClientProfile) -> list[Dish]:
    strictness = DIETS.get(profile.diet, 3)
    return [d for d in DISHES if d.slot == slot and DIETS[d.diet] <= strictness
            and not _allergic(d.name, d.contains, profile)]


def _last_dish(profile: ClientProfile) -> Dish:
    kept = [d for d in LAST_DISHES if not _allergic(d.name, d.contains, profile)]
    return kept[0] if kept else Dish("Plain meal", "Meal", 8, 90, 3, "vegan")


def _portion(dish: Dish, kcal: int) -> dict[str, Any]:
    """The dish scaled to the calories; its calories are exactly its macros' (4p + 4c + 9f)."""
    base = 4 * dish.protein_g + 4 * dish.carbs_g + 9 * dish.fat_g
    scale = min(kcal, MAX_MEAL_KCAL) / base
    p, c, f = (max(1, round(g * scale)) for g in (dish.protein_g, dish.carbs_g, dish.fat_g))
    return {"name": dish.name, "calories": 4 * p + 4 * c + 9 * f, "protein_g": p, "carbs_g": c, "fat_g": f}


def _allergic(name: str, contains: tuple[str, ...], profile: ClientProfile) -> bool:
    return any(names_allergen(text, allergy) for allergy in profile.allergies for text in (name, *contains))


def _pick(options: list[Any], i: int) -> Any:
    return options[i % len(options)] if options else None


def _safe(names: tuple[str, ...], profile: ClientProfile) -> str:
    return next((n for n in names if not _allergic(n, (), profile)), "Rest day walk")
