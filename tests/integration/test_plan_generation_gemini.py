"""Every way Gemini can answer ends in a usable plan with the right source and recorded metadata:
the real `google-genai` client against a loopback server speaking `generateContent`."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest

from application.plan_generation import PlanGeneration, Written
from domain.plan import PlanKind, PlanSource
from domain.plan_rules import ClientProfile, check_generated
from infrastructure.gemini import GeminiModel
from infrastructure.settings import Settings
from tests.gemini_fake import GeminiFake, answer, error, hang, running_gemini, valid_meals, valid_workout

PROFILE = ClientProfile(goal="strength", level="intermediate", diet="vegetarian",
                        equipment=("dumbbells",), allergies=("peanuts",), injuries=("knee",))


@pytest.fixture(scope="module")
def gemini() -> Iterator[GeminiFake]:
    with running_gemini() as fake:
        yield fake


def generation(gemini: GeminiFake, **settings: object) -> PlanGeneration:
    values = {"GEMINI_API_KEY": gemini.key, "GEMINI_BASE_URL": gemini.url, "GEMINI_MODEL": "gemini-test",
              "GYMGENIUS_GEMINI_TIMEOUT": 0.5, **settings}
    return PlanGeneration(None, None, GeminiModel(Settings(**values)))  # type: ignore[arg-type]


def written(gemini: GeminiFake, *steps, kind: PlanKind = PlanKind.WORKOUT, days: int = 3) -> Written:
    gemini.requests.clear()
    gemini.script(*steps)
    made = generation(gemini).write(kind, PROFILE, days, "45 minutes a session")
    assert check_generated(kind, made.content, PROFILE, days).errors == []  # always usable
    return made


def test_a_valid_answer_is_the_plan_with_its_metadata(gemini):
    made = written(gemini, answer(valid_workout(3)))
    g = made.generation
    assert (made.title, g.source, g.model, g.finish_reason, g.schema_version) == (
        "Strength block", PlanSource.AI, "gemini-test", "STOP", "1")
    assert (g.prompt_tokens, g.candidate_tokens) == (120, len(json.dumps(valid_workout(3))) // 4)
    assert len(g.prompt_hash) == 64 and g.fallback_reason is None
    sent = gemini.requests[0]
    config = sent["generationConfig"]
    assert sent["model"] == "gemini-test" and config["responseMimeType"] == "application/json"
    assert "responseSchema" in config or "responseJsonSchema" in config
    prompt = sent["contents"][0]["parts"][0]["text"]
    facts = ("strength", "vegetarian", "dumbbells", "peanuts", "knee", "45 minutes")
    assert all(fact in prompt for fact in facts)


def test_invalid_json_is_repaired_once_with_the_errors_fed_back(gemini):
    made = written(gemini, answer('{"title": "Oops", "days": ['), answer(valid_meals(2)), kind=PlanKind.MEAL,
                   days=2)
    assert made.generation.source is PlanSource.AI and made.title == "Balanced meals"
    repair = gemini.requests[1]["contents"]
    assert [turn["role"] for turn in repair] == ["user", "model", "user"]
    assert "not JSON" in repair[2]["parts"][0]["text"]
    assert made.generation.prompt_tokens == 240  # both attempts counted


def test_an_answer_breaking_our_rules_twice_falls_back(gemini):
    allergic = valid_meals(2, name="Peanut curry")
    made = written(gemini, answer(allergic), answer(allergic), kind=PlanKind.MEAL, days=2)
    g = made.generation
    assert g.source is PlanSource.FALLBACK and g.fallback_reason == "invalid answer after one repair"
    assert "allergic" in gemini.requests[1]["contents"][2]["parts"][0]["text"]
    assert not any("peanut" in m["name"].lower() for d in made.content["days"] for m in d["meals"])


@pytest.mark.parametrize(("step", "finish", "reason"), [
    (answer('{"title": "Str', finish="MAX_TOKENS"), "MAX_TOKENS", "finish reason MAX_TOKENS"),
    (answer("", finish="SAFETY"), "SAFETY", "finish reason SAFETY"),
    (error(429), "NONE", "unavailable: 429 RESOURCE_EXHAUSTED"),
    (error(503), "NONE", "unavailable: 503 UNAVAILABLE"),
])
def test_a_cut_blocked_or_refused_answer_falls_back(gemini, step, finish, reason):
    g = written(gemini, step).generation
    assert (g.source, g.finish_reason, g.fallback_reason, g.model) == (PlanSource.FALLBACK, finish, reason,
                                                                       "gemini-test")
    assert len(gemini.requests) == 1  # no SDK retries, no repair of a cut or blocked answer


def test_a_hanging_model_times_out_and_falls_back(gemini):
    started = time.monotonic()
    g = written(gemini, hang()).generation
    assert time.monotonic() - started < 5
    assert g.source is PlanSource.FALLBACK and g.fallback_reason == "unavailable: timed out"


def test_an_open_breaker_falls_back_without_calling(gemini):
    gemini.requests.clear()
    gemini.script(error(503), error(503))
    failing = generation(gemini, GYMGENIUS_GEMINI_BREAKER_FAILURES=2)
    for _ in range(2):
        failing.write(PlanKind.WORKOUT, PROFILE, 3, None)
    g = failing.write(PlanKind.WORKOUT, PROFILE, 3, None).generation
    assert g.fallback_reason == "unavailable: the circuit breaker is open" and len(gemini.requests) == 2
