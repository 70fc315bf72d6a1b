"""Operations: liveness under load, the OpenAPI document, production guards, dev tokens."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from pydantic import ValidationError

from domain.values import Role
from infrastructure.bootstrap import bootstrap
from infrastructure.dev_tokens import DevTokens
from infrastructure.settings import Settings
from interfaces.http.app import create_app
from tests.support import server_settings

PRODUCTION = {
    "GYMGENIUS_ENV": "production", "GYMGENIUS_PROFILE": "server",
    "RAZORPAY_KEY_SECRET": "live-key-secret", "RAZORPAY_WEBHOOK_SECRET": "live-webhook-secret",
    "FIREBASE_PROJECT_ID": "gymgenius-prod",
}


class HeldSessions:
    """Workout-session commands that wait at the door until the test lets them through."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.entered, self.release = inner, threading.Event(), threading.Event()

    def start(self, ctx: Any, cmd: Any) -> Any:
        self.entered.set()
        assert self.release.wait(timeout=30)
        return self.inner.start(ctx, cmd)


def fastapi_of(app: Any) -> FastAPI:
    """The FastAPI app, also when it is wrapped (for instance by Socket.IO)."""
    return app if isinstance(app, FastAPI) else fastapi_of(app.other_asgi_app)


async def test_healthz_answers_at_once_while_a_slow_command_holds_a_thread(server_system, monkeypatch):
    held = HeldSessions(server_system.workout_sessions)
    monkeypatch.setattr(server_system, "workout_sessions", held)
    token = server_system.dev_tokens.issue("alice", Role.CLIENT)
    transport = httpx.ASGITransport(app=create_app(server_system))
    async with httpx.AsyncClient(transport=transport, base_url="http://gymgenius.test") as client:
        command = asyncio.create_task(client.post(
            "/v1/commands/workout-sessions", json={}, headers={"Authorization": f"Bearer {token}"}
        ))
        assert await asyncio.to_thread(held.entered.wait, 10)
        started = asyncio.get_running_loop().time()
        health = await asyncio.wait_for(client.get("/healthz"), timeout=5)
        assert health.status_code == 200 and health.json() == {"status": "ok"}
        assert asyncio.get_running_loop().time() - started < 2.0
        assert not command.done()
        held.release.set()
        assert (await command).status_code == 201


def test_the_openapi_document_lists_every_route_with_a_summary_and_a_description(api):
    document = api.get("/openapi.json").json()
    routes = {
        (route.path_format, method.lower())
        for route in iter_route_contexts(fastapi_of(api.app).routes)
        if isinstance(route.original_route, APIRoute)
        for method in route.methods
    }
    listed = {(path, method) for path, operations in document["paths"].items() for method in operations}
    assert routes == listed and ("/healthz", "get") in listed
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            assert operation.get("summary") and operation.get("description"), (method, path)


@pytest.mark.parametrize(
    "unsafe",
    [
        {"GYMGENIUS_PROFILE": "embedded"},
        {"GYMGENIUS_DEV_TOKENS": "1"},
        {"RAZORPAY_KEY_SECRET": "gymgenius-sandbox-key-secret"},
        {"RAZORPAY_WEBHOOK_SECRET": "gymgenius-sandbox-webhook-secret"},
    ],
    ids=["embedded-profile", "dev-tokens", "default-key-secret", "default-webhook-secret"],
)
def test_production_settings_refuse_to_start_when_unsafe(unsafe):
    with pytest.raises(ValidationError, match="refusing to start in production"):
        Settings(**{**PRODUCTION, **unsafe})


def test_safe_production_settings_start_with_dev_tokens_off():
    settings = Settings(**PRODUCTION)
    assert settings.env == "production" and not settings.dev_tokens_enabled


def test_dev_tokens_are_404_in_the_server_profile_unless_switched_on(pg_schema, server_system):
    off = bootstrap(server_settings(pg_schema, GYMGENIUS_DEV_TOKENS=None))
    body = {"uid": "alice", "role": "client"}
    try:
        with TestClient(create_app(off)) as client:
            refused = client.post("/v1/dev/tokens", json=body)
    finally:
        off.close()
    assert refused.status_code == 404
    assert refused.headers["content-type"] == "application/problem+json"
    with TestClient(create_app(server_system)) as client:
        assert client.post("/v1/dev/tokens", json=body).status_code == 200


def test_an_expired_dev_token_is_401(api, system):
    an_hour_ago = datetime.now(UTC) - timedelta(hours=1)
    stale = DevTokens(system.settings.dev_token_secret, lambda: an_hour_ago).issue("alice", Role.CLIENT)
    answer = api.post("/v1/commands/workout-sessions", json={}, headers={"Authorization": f"Bearer {stale}"})
    assert answer.status_code == 401
    assert answer.headers["content-type"] == "application/problem+json"


def test_readyz_is_ready_when_the_database_answers_and_says_what_it_checked(api):
    answer = api.get("/readyz")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["ready"] is True
    assert body["checks"]["database"] == "ok"
    assert {"redis", "projections", "dead_letters"} <= set(body["checks"])
