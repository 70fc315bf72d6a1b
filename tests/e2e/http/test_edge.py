"""The edge in both profiles: CORS for the allowed origins only, security headers on every
answer, the body limit (413 before the body is read), HEAD and 405 with Allow, users' free text
without markup or control characters; and the production app's document and headers."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from fastapi.testclient import TestClient

from infrastructure.settings import Settings
from interfaces.http.app import create_app
from interfaces.http.problems import PROBLEM

ALLOWED = "http://localhost:3000"
PLANS = "/v1/commands/plans"
CONTENT = {"days": [{"name": "Push", "exercises": [{"name": "Bench press", "sets": 3, "reps": 8}]}]}
SECURITY = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY"}
PRODUCTION = {
    "GYMGENIUS_ENV": "production", "GYMGENIUS_PROFILE": "server", "FIREBASE_PROJECT_ID": "gymgenius-prod",
    "RAZORPAY_KEY_SECRET": "live-key-secret", "RAZORPAY_WEBHOOK_SECRET": "live-webhook-secret",
}


def _cors(answer: Any) -> set[str]:
    return {name for name in answer.headers if name.lower().startswith("access-control-")}


def test_an_allowed_origin_gets_cors_headers_and_its_preflight_answered(api):
    answer = api.get("/healthz", headers={"Origin": ALLOWED})
    assert answer.headers["Access-Control-Allow-Origin"] == ALLOWED
    assert "X-Trace-Id" in answer.headers["Access-Control-Expose-Headers"]
    preflight = api.options("/v1/queries/plans", headers={
        "Origin": ALLOWED, "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "authorization"})
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == ALLOWED
    assert "GET" in preflight.headers["Access-Control-Allow-Methods"]


def test_a_foreign_origin_gets_no_cors_header_at_all(api):
    assert not _cors(api.get("/healthz", headers={"Origin": "https://evil.example"}))
    preflight = api.options("/v1/queries/plans", headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "GET"})
    assert not _cors(preflight) and preflight.status_code == 405


def test_every_answer_carries_the_security_headers_and_no_hsts_outside_production(api, auth):
    answers = [api.get("/healthz"), api.get("/no/such/route"), api.get("/v1/queries/plans"),
               api.post(PLANS, json={}, headers=auth("tim", "trainer")), api.put("/healthz")]
    assert [a.status_code for a in answers] == [200, 404, 401, 422, 405]
    for answer in answers:
        assert all(answer.headers.get(k) == v for k, v in SECURITY.items()), answer.request.url
        assert "Strict-Transport-Security" not in answer.headers


def test_head_is_answered_wherever_get_is_and_405_says_allow(api, auth):
    get, head = api.get("/healthz"), api.head("/healthz")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == get.headers["content-length"]
    assert api.head("/v1/queries/plans", headers=auth("ann")).status_code == 200
    refused = api.delete("/v1/queries/plans", headers=auth("ann"))
    assert refused.status_code == 405 and refused.headers["content-type"] == PROBLEM
    assert refused.headers["Allow"] == "GET, HEAD"
    assert api.get(PLANS, headers=auth("tim", "trainer")).headers["Allow"] == "POST"


def test_a_declared_body_over_the_limit_is_413_before_it_is_read(api, auth):
    answer = api.post(PLANS, content=b"{" + b" " * (1024 * 1024) + b"}",
                      headers={**auth("tim", "trainer"), "Content-Type": "application/json"})
    assert answer.status_code == 413 and answer.headers["content-type"] == PROBLEM
    assert answer.json()["type"].endswith("/body-too-large")


def test_a_streamed_body_over_the_limit_is_413_once_it_passes_the_limit(api, auth):
    sent = []

    def chunks():
        for _ in range(64):  # 4 MiB offered, no Content-Length
            sent.append(1)
            yield b" " * 65536

    answer = api.post(PLANS, content=chunks(),
                      headers={**auth("tim", "trainer"), "Content-Type": "application/json"})
    assert answer.status_code == 413 and answer.json()["status"] == 413


def test_the_webhook_has_its_own_smaller_body_limit(api):
    answer = api.post("/v1/webhooks/razorpay", content=b" " * (300 * 1024),
                      headers={"X-Razorpay-Signature": "0" * 64, "Content-Type": "application/json"})
    assert answer.status_code == 413


def test_markup_in_free_text_is_never_stored(api, auth):
    headers = auth("tim", "trainer")
    content = {"days": [{"name": "<b>Push</b>", "exercises": [
        {"name": "Bench <script>alert(1)</script>press", "sets": 3, "reps": 8}]}]}
    created = api.post(PLANS, json={"kind": "workout", "title": "<i>Strength</i> & <a href=x>size</a> <3",
                                    "content": content}, headers=headers)
    assert created.status_code == 201, created.text
    plan = api.get(f"/v1/queries/plans/{created.json()['id']}",
                   params={"min_position": created.json()["position"]}, headers=headers).json()
    assert plan["title"] == "Strength & size <3"
    assert plan["content"]["days"][0]["name"] == "Push"
    assert plan["content"]["days"][0]["exercises"][0]["name"] == "Bench press"


@pytest.mark.parametrize("title", ["bell\x07", "right-to-left \u202e override", "two\nlines", "<b></b>"])
def test_control_characters_and_text_that_is_only_markup_are_refused(api, auth, title):
    answer = api.post(PLANS, json={"kind": "workout", "title": title, "content": CONTENT},
                      headers=auth("tim", "trainer"))
    assert answer.status_code == 422 and answer.headers["content-type"] == PROBLEM
    assert answer.json()["errors"][0]["loc"][:2] == ["body", "title"]


def test_a_set_with_markup_in_its_exercise_is_refused_or_cleaned(api, auth):
    headers = auth("alice")
    session = api.post("/v1/commands/workout-sessions", json={}, headers=headers).json()["id"]
    route = f"/v1/commands/workout-sessions/{session}/sets"
    assert api.post(route, json={"exercise": "squat\x00", "reps": 5, "weight_kg": 100},
                    headers=headers).status_code == 422
    assert api.post(route, json={"exercise": "squat\x1b[31m", "reps": 5, "weight_kg": 100},
                    headers=headers).status_code == 422
    assert api.post(route, json={"exercise": "<em>squat</em>", "reps": 5, "weight_kg": 100},
                    headers=headers).status_code == 200


@pytest.fixture
def production() -> TestClient:
    """The production app's edge and document: no database is needed to build it."""
    settings = Settings(**PRODUCTION)  # type: ignore[arg-type]
    return TestClient(create_app(SimpleNamespace(settings=settings, sandbox=None)))  # type: ignore[arg-type]


def test_production_serves_no_docs_and_no_development_token_route(production):
    document = production.get("/openapi.json").json()
    assert not [path for path in document["paths"] if path.startswith("/v1/dev")]
    assert "/v1/commands/plans" in document["paths"]
    for path in ("/docs", "/redoc", "/v1/dev/tokens"):
        answer = production.get(path) if path != "/v1/dev/tokens" else production.post(path, json={})
        assert answer.status_code in (404, 405) and answer.headers["content-type"] == PROBLEM, path


def test_production_answers_carry_hsts(production):
    answer = production.get("/openapi.json")
    assert answer.headers["Strict-Transport-Security"].startswith("max-age=")
    assert all(answer.headers.get(k) == v for k, v in SECURITY.items())


def test_development_serves_the_docs(api):
    assert api.get("/docs").status_code == 200 and api.get("/redoc").status_code == 200
