"""Gemini at the network edge, on a loopback port: `POST /{v1|v1beta}/models/{model}:generateContent`
as Google serves it (`candidates[].content.parts[].text`, `finishReason`, `usageMetadata`, and
errors as `{"error": {"code", "message", "status"}}`), answering from a script of steps:

    with running_gemini() as gemini:
        gemini.script(answer(valid_workout(3)), error(503), hang())
        settings = ...(GEMINI_API_KEY=gemini.key, GEMINI_BASE_URL=gemini.url)

With the script used up it answers a valid plan of the asked kind and number of days.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from infrastructure.razorpay.sandbox import LoopbackServer

KEY = "gemini-test-key"
STATUSES = {400: "INVALID_ARGUMENT", 429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE"}


@dataclass(frozen=True)
class Step:
    kind: str  # "answer", "error", "hang", "gate"
    text: str = ""
    finish: str = "STOP"
    code: int = 200


def answer(body: Any, finish: str = "STOP") -> Step:
    return Step("answer", body if isinstance(body, str) else json.dumps(body), finish)


def error(code: int) -> Step:
    return Step("error", code=code)


def hang() -> Step:
    return Step("hang")


def gated() -> Step:
    """A valid answer held back until `gate` is set (to see a plan while it is generating)."""
    return Step("gate")


def valid_workout(days: int, name: str = "Goblet squat") -> dict[str, Any]:
    return {"title": "Strength block", "days": [
        {"name": f"Day {i + 1}", "exercises": [{"name": name, "sets": 4, "reps": 8, "rest_s": 90}]}
        for i in range(days)]}


def valid_meals(days: int, name: str = "Dal khichdi") -> dict[str, Any]:
    meal = {"name": name, "calories": 4 * 20 + 4 * 75 + 9 * 9, "protein_g": 20, "carbs_g": 75, "fat_g": 9}
    days_of_meals = [{"name": f"Day {i + 1}", "meals": [meal]} for i in range(days)]
    return {"title": "Balanced meals", "days": days_of_meals}


@dataclass
class GeminiFake:
    url: str = ""
    key: str = KEY
    steps: list[Step] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)  # each body, with path and key
    released: threading.Event = field(default_factory=threading.Event)
    gate: threading.Event = field(default_factory=threading.Event)

    def script(self, *steps: Step) -> None:
        self.steps = list(steps)

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/{version}/models/{call}", self._generate, methods=["POST"])])

    async def _generate(self, request: Request) -> JSONResponse:
        found = re.fullmatch(r"([\w.-]+):generateContent", request.path_params["call"])
        if request.path_params["version"] not in ("v1", "v1beta") or not found:
            return _error(404, "Method not found.", "NOT_FOUND")
        if request.headers.get("x-goog-api-key") != self.key:
            return _error(403, "The caller does not have permission", "PERMISSION_DENIED")
        body = await request.json()
        self.requests.append({**body, "model": found.group(1), "version": request.path_params["version"]})
        step = self.steps.pop(0) if self.steps else Step("answer", _default(body))
        if step.kind == "gate":
            await asyncio.get_running_loop().run_in_executor(None, self.gate.wait, 30)
            step = Step("answer", _default(body))
        if step.kind == "hang":
            await asyncio.get_running_loop().run_in_executor(None, self.released.wait, 30)
            return _error(504, "Deadline exceeded", "DEADLINE_EXCEEDED")
        if step.kind == "error":
            return _error(step.code, "The model is overloaded. Please try again later.", STATUSES[step.code])
        return JSONResponse(_candidate(step, found.group(1)))


def _candidate(step: Step, model: str) -> dict[str, Any]:
    candidate: dict[str, Any] = {"index": 0, "finishReason": step.finish}
    if step.finish == "SAFETY":
        candidate["safetyRatings"] = [{"category": "HARM_CATEGORY_DANGEROUS_CONTENT", "probability": "HIGH",
                                       "blocked": True}]
    else:
        candidate["content"] = {"role": "model", "parts": [{"text": step.text}]}
    return {"candidates": [candidate], "modelVersion": model, "responseId": "fake-response",
            "usageMetadata": {"promptTokenCount": 120, "candidatesTokenCount": len(step.text) // 4,
                              "totalTokenCount": 120 + len(step.text) // 4}}


def _default(body: dict[str, Any]) -> str:
    prompt = body["contents"][0]["parts"][0]["text"]
    days = int(re.search(r"exactly (\d+) days", prompt).group(1))  # type: ignore[union-attr]
    return json.dumps(valid_workout(days) if "a workout plan" in prompt else valid_meals(days))


def _error(code: int, message: str, status: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, "status": status}}, status_code=code)


@contextmanager
def running_gemini() -> Iterator[GeminiFake]:
    fake = GeminiFake()
    with LoopbackServer(fake.app()) as server:
        fake.url = server.url
        try:
            yield fake
        finally:
            fake.released.set()  # a hanging answer ends, so that the server stops at once
            fake.gate.set()
