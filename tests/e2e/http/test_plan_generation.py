"""`POST /v1/commands/plans/generate` over HTTP: 202 and a plan reading `generating`, completed by
a worker from the client's profile (Gemini at a loopback server, or the offline generator)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY

from application.context import CommandContext
from application.plan_generation import GeneratePlan
from domain.plan import Plan, PlanKind, PlanSource
from domain.values import Actor, Role
from infrastructure.bootstrap import System, bootstrap, init_storage
from infrastructure.generate_worker import GIVE_UP_AFTER, StuckGenerations
from infrastructure.settings import Settings
from interfaces.http.app import create_app
from tests.gemini_fake import GeminiFake, gated, running_gemini
from tests.support import relate, running_worker, server_settings, wait_until

ROUTE = "/v1/commands/plans/generate"
PROFILE = {"goal": "strength", "level": "beginner", "equipment": ["dumbbells"], "diet": "vegan",
           "allergies": ["peanuts"], "injuries": ["knee"]}


@pytest.fixture(scope="module")
def gemini() -> Iterator[GeminiFake]:
    with running_gemini() as fake:
        yield fake


@pytest.fixture(params=["embedded", "server"])
def ai_system(request: pytest.FixtureRequest, gemini: GeminiFake, tmp_path: Path) -> Iterator[System]:
    keys = {"GEMINI_API_KEY": gemini.key, "GEMINI_BASE_URL": gemini.url, "GYMGENIUS_GEMINI_TIMEOUT": 5}
    if request.param == "embedded":
        settings = Settings(GYMGENIUS_DATA_DIR=tmp_path / "var", **keys)  # type: ignore[call-arg]
    else:
        settings = server_settings(request.getfixturevalue("pg_schema"), **keys)
    init_storage(settings)
    system = bootstrap(settings)
    yield system
    system.close()


@pytest.fixture
def ai_api(ai_system: System) -> Iterator[TestClient]:
    worker = running_worker(ai_system) if ai_system.settings.profile == "server" else None
    with TestClient(create_app(ai_system)) as client:
        yield client
    if worker is not None:
        worker.stop()


def headers(api: TestClient, uid: str, role: str = "client") -> dict[str, str]:
    answer = api.post("/v1/dev/tokens", json={"uid": uid, "role": role})
    return {"Authorization": f"Bearer {answer.json()['token']}"}


def generated(source: str) -> float:
    return REGISTRY.get_sample_value("gymgenius_plan_generations_total", {"source": source}) or 0.0


def plan_when(api: TestClient, who: dict[str, str], plan_id: str, status: str) -> dict:
    def read() -> dict | None:
        found = api.get(f"/v1/queries/plans/{plan_id}", headers=who)
        return found.json() if found.status_code == 200 and found.json()["status"] == status else None
    return wait_until(read, timeout=15, what=f"plan {plan_id} {status}")  # type: ignore[return-value]


def test_a_clients_own_plan_reads_generating_then_published_and_assigned(ai_api, ai_system, gemini):
    client = headers(ai_api, f"asha-{uuid.uuid4().hex[:6]}")
    assert ai_api.post("/v1/commands/me/profile", json=PROFILE, headers=client).status_code == 200
    gemini.gate.clear()
    gemini.script(gated())
    before = generated("ai")
    answer = ai_api.post(ROUTE, json={"kind": "workout", "days_per_week": 4, "notes": "45 minutes"},
                         headers=client)
    assert answer.status_code == 202, answer.text
    plan_id, position = answer.json()["id"], answer.json()["position"]
    assert answer.headers["Location"] == f"/v1/queries/plans/{plan_id}"
    generating = ai_api.get(f"/v1/queries/plans/{plan_id}?min_position={position}", headers=client).json()
    assert (generating["status"], generating["content"], generating["source"]) == ("generating", None, "ai")
    gemini.gate.set()
    ready = plan_when(ai_api, client, plan_id, "published")
    uid = generating["author_id"]
    assert (ready["source"], ready["client_ids"], len(ready["content"]["days"])) == ("ai", [uid], 4)
    wait_until(lambda: generated("ai") == before + 1, what="the generation counted")
    generation = ai_system.aggregates.load(Plan, uuid.UUID(plan_id)).generation
    assert generation.source is PlanSource.AI and generation.finish_reason == "STOP"
    assert generation.prompt_tokens == 120 and len(generation.prompt_hash) == 64
    told = wait_until(lambda: ai_api.get("/v1/queries/notifications", headers=client).json()["items"],
                      what="the client told their plan is ready")
    assert [(n["kind"], n["data"]["plan_id"], n["data"]["source"]) for n in told] == [
        ("plan_generated", plan_id, "ai")]  # and not also "a new plan is yours"
    assert "peanuts" in gemini.requests[-1]["contents"][0]["parts"][0]["text"]
    redelivered = CommandContext(Actor("plan-generator", Role.SYSTEM), datetime.now(UTC), "")
    assert ai_system.generation.generate(redelivered, uuid.UUID(plan_id)) is None  # generated once


def test_a_trainers_plan_for_an_assigned_client_is_a_draft_to_publish(api, auth):
    trainer, client_id = auth("tara", "trainer"), f"ravi-{uuid.uuid4().hex[:6]}"
    relate(api, trainer, client_id)
    body = {"kind": "meal", "client_id": client_id, "days_per_week": 3}
    answer = api.post(ROUTE, json=body, headers=trainer)
    assert answer.status_code == 202, answer.text
    plan_id = answer.json()["id"]
    draft = plan_when(api, trainer, plan_id, "draft")
    assert draft["source"] == "fallback" and draft["client_ids"] == [] and len(draft["content"]["days"]) == 3
    assert api.get(f"/v1/queries/plans/{plan_id}", headers=auth(client_id)).status_code == 404
    assert api.post(f"/v1/commands/plans/{plan_id}/publish", json={}, headers=trainer).status_code == 200
    assign = {"client_id": client_id}
    assigned = api.post(f"/v1/commands/plans/{plan_id}/assign", json=assign, headers=trainer)
    assert assigned.status_code == 200, assigned.text


@pytest.mark.parametrize("system", ["embedded"], indirect=True)
def test_who_may_generate_for_whom(api, auth):
    for_ravi, mine = {"kind": "workout", "client_id": "ravi"}, {"kind": "workout"}
    stranger = auth("sam", "trainer")
    assert api.post(ROUTE, json=for_ravi, headers=stranger).status_code == 403  # not related
    assert api.post(ROUTE, json=for_ravi, headers=auth("asha")).status_code == 403  # another client
    assert api.post(ROUTE, json=mine, headers=stranger).status_code == 202  # a template, for no client
    assert api.post(ROUTE, json=for_ravi, headers=auth("ada", "admin")).status_code == 202
    assert api.post(ROUTE, json=mine, headers=auth("aud", "auditor")).status_code == 403


HOSTILE = [
    {"kind": "workout", "notes": "a\u0000b"}, {"kind": "workout", "notes": "\ud800"},
    {"kind": "workout", "days_per_week": 8}, {"kind": "workout", "days_per_week": 10**30},
    {"kind": "workout", "days_per_week": "3"}, {"kind": "dance"}, {"kind": "meal", "notes": "x" * 1001},
    {"kind": "meal", "extra": 1}, {"kind": "meal", "client_id": "a/b"},
]


@pytest.mark.parametrize("system", ["embedded"], indirect=True)
def test_hostile_bodies_are_422_and_write_nothing(api, auth):
    client = auth(f"eve-{uuid.uuid4().hex[:6]}")
    for body in HOSTILE:
        raw = json.dumps(body)  # a lone surrogate travels escaped, as JSON allows
        answer = api.post(ROUTE, content=raw, headers={**client, "content-type": "application/json"})
        assert answer.status_code == 422, (body, answer.text)
        assert answer.headers["content-type"] == "application/problem+json"
    assert api.get("/v1/queries/plans", headers=client).json()["items"] == []


@pytest.mark.parametrize("system", ["embedded"], indirect=True)
def test_a_generation_left_generating_is_sent_again_then_recorded_failed(api, auth, system):
    """As if the worker died: the sweep finds the plan by its age and sends it again, three
    times at most, then records the generation failed."""
    asha = Actor(f"asha-{uuid.uuid4().hex[:6]}", Role.CLIENT)
    ctx = CommandContext(asha, datetime.now(UTC), "")
    plan_id = str(system.generation.request(ctx, GeneratePlan(PlanKind.WORKOUT)).id)  # no message sent
    client = auth(asha.uid)
    plan_when(api, client, plan_id, "generating")
    sent: list[str] = []
    later = datetime.now(UTC) + timedelta(hours=1)
    sweep = StuckGenerations(system.projections.engine, system.generation, sent.append, lambda: later,
                             stuck_s=60, every_s=0, again_s=0)
    for _ in range(GIVE_UP_AFTER + 1):
        sweep()
    assert sent == [plan_id] * GIVE_UP_AFTER
    assert plan_when(api, client, plan_id, "failed")["content"] is None


@pytest.mark.parametrize("system", ["embedded"], indirect=True)
def test_ten_generations_a_minute_then_429(api, auth):
    client = auth(f"max-{uuid.uuid4().hex[:6]}")
    codes = [api.post(ROUTE, json={"kind": "meal"}, headers=client).status_code for _ in range(11)]
    assert codes == [202] * 10 + [429]
