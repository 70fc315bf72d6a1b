"""Gemini through `google-genai`: structured output in the shape of a plan, a bounded timeout,
no SDK retries, and a circuit breaker so that a failing service is not waited on again and again."""

from __future__ import annotations

import contextlib
import time

import httpx
import httpx2
import pybreaker
from google import genai
from google.genai import errors, types
from pydantic import BaseModel, Field

from application.plan_generation import ModelAnswer, ModelUnavailable
from domain.plan import PlanKind
from domain.plan_content import MAX_ITEMS
from infrastructure.settings import Settings


class ExerciseSchema(BaseModel):
    name: str = Field(description="The exercise, as a client would know it")
    sets: int = Field(ge=1, le=10)
    reps: int = Field(ge=1, le=50)
    rest_s: int = Field(ge=15, le=600, description="Rest between sets, in seconds")


class WorkoutDaySchema(BaseModel):
    name: str
    exercises: list[ExerciseSchema] = Field(min_length=1, max_length=MAX_ITEMS)


class MealSchema(BaseModel):
    name: str
    calories: int = Field(description="Equal (within 10%) to 4*protein_g + 4*carbs_g + 9*fat_g")
    protein_g: int
    carbs_g: int
    fat_g: int


class MealDaySchema(BaseModel):
    name: str
    meals: list[MealSchema] = Field(min_length=1, max_length=MAX_ITEMS)


class WorkoutPlanSchema(BaseModel):
    title: str
    days: list[WorkoutDaySchema]


class MealPlanSchema(BaseModel):
    title: str
    days: list[MealDaySchema]


SCHEMAS: dict[PlanKind, type[BaseModel]] = {
    PlanKind.WORKOUT: WorkoutPlanSchema, PlanKind.MEAL: MealPlanSchema,
}
# ValueError: an answer the client library cannot read (pydantic's ValidationError is one)
UNAVAILABLE = (errors.APIError, httpx.HTTPError, httpx2.HTTPError, OSError, ValueError)


class GeminiModel:
    """The plan model: one client kept alive (a collected client closes its connection)."""

    def __init__(self, settings: Settings) -> None:
        self.name = settings.gemini_model
        options = types.HttpOptions(base_url=settings.gemini_base_url, api_version="v1beta",
                                    timeout=int(settings.gemini_timeout_s * 1000))
        self.client = genai.Client(api_key=settings.gemini_api_key, http_options=options)
        self.breaker = ModelBreaker(settings.gemini_breaker_failures, settings.gemini_breaker_reset_s)

    def answer(self, kind: PlanKind, prompt: str, repair: tuple[str, str] | None) -> ModelAnswer:
        self.breaker.check()
        try:
            response = self.client.models.generate_content(
                model=self.name, contents=_contents(prompt, repair), config=_config(kind))
        except errors.ClientError as error:
            self.breaker.record(error if error.code == 429 else None)
            raise ModelUnavailable(f"{error.code} {error.status}") from error
        except UNAVAILABLE as error:
            self.breaker.record(error)
            raise ModelUnavailable(_described(error)) from error
        self.breaker.record(None)
        return _answer(response)


def _contents(prompt: str, repair: tuple[str, str] | None) -> list[types.Content]:
    turns = [types.Content(role="user", parts=[types.Part(text=prompt)])]
    if repair is not None:
        turns += [types.Content(role="model", parts=[types.Part(text=repair[0])]),
                  types.Content(role="user", parts=[types.Part(text=repair[1])])]
    return turns


def _config(kind: PlanKind) -> types.GenerateContentConfig:
    return types.GenerateContentConfig(
        response_mime_type="application/json", response_schema=SCHEMAS[kind], temperature=0.4,
        max_output_tokens=8192,
    )


def _answer(response: types.GenerateContentResponse) -> ModelAnswer:
    candidate = response.candidates[0] if response.candidates else None
    reason = candidate.finish_reason if candidate and candidate.finish_reason else None
    # no candidate at all: the prompt itself was blocked
    finish = str(getattr(reason, "value", reason)) if reason is not None else "BLOCKED"
    parts = (candidate.content.parts if candidate and candidate.content else None) or []
    usage = response.usage_metadata
    return ModelAnswer(
        text="".join(p.text for p in parts if p.text), finish_reason=finish,
        prompt_tokens=(usage.prompt_token_count or 0) if usage else 0,
        candidate_tokens=(usage.candidates_token_count or 0) if usage else 0,
    )


def _described(error: BaseException) -> str:
    if isinstance(error, errors.APIError):
        return f"{error.code} {error.status}"
    if isinstance(error, httpx.TimeoutException | httpx2.TimeoutException):
        return "timed out"
    return type(error).__name__


class ModelBreaker(pybreaker.CircuitBreakerListener):
    """pybreaker's state machine, asked before each call and told its outcome after it (its own
    `call` would hold a lock for the whole call, one generation at a time)."""

    def __init__(self, failures: int, reset_s: float) -> None:
        self._opened_at = 0.0
        self._breaker = pybreaker.CircuitBreaker(fail_max=failures, reset_timeout=reset_s,
                                                 name="gemini", listeners=[self])

    def check(self) -> None:
        opened = self._breaker.current_state == pybreaker.STATE_OPEN
        if opened and time.monotonic() - self._opened_at < self._breaker.reset_timeout:
            raise ModelUnavailable("the circuit breaker is open")

    def record(self, failure: BaseException | None) -> None:
        with contextlib.suppress(pybreaker.CircuitBreakerError, _Failed):  # the caller raises its own
            self._breaker.call(_outcome, failure)

    def state_change(self, cb: pybreaker.CircuitBreaker, old_state: object, new_state: object) -> None:
        if getattr(new_state, "name", None) == pybreaker.STATE_OPEN:
            self._opened_at = time.monotonic()


class _Failed(Exception):
    pass


def _outcome(failure: BaseException | None) -> None:
    if failure is not None:
        raise _Failed(repr(failure))
