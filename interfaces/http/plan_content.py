"""The shape of a plan's content as the API shows it: days of exercises, or days of meals."""

from __future__ import annotations

from pydantic import BaseModel, JsonValue
from pydantic.json_schema import SkipJsonSchema

from interfaces.http.problem_docs import absent

WORKOUT_EXAMPLE: JsonValue = {"days": [{"name": "Push", "exercises": [
    {"name": "Bench press", "sets": 4, "reps": 8, "rest_s": 120}, {"name": "Dips", "sets": 3, "reps": 12},
]}]}


class ExerciseOut(BaseModel):
    name: str
    sets: int
    reps: int
    rest_s: int | SkipJsonSchema[None] = absent("Seconds of rest between sets, when the plan says")


class WorkoutDayOut(BaseModel):
    name: str
    exercises: list[ExerciseOut]


class WorkoutContentOut(BaseModel):
    days: list[WorkoutDayOut]


class MealOut(BaseModel):
    name: str
    calories: int
    protein_g: int
    carbs_g: int
    fat_g: int


class MealDayOut(BaseModel):
    name: str
    meals: list[MealOut]


class MealContentOut(BaseModel):
    days: list[MealDayOut]
