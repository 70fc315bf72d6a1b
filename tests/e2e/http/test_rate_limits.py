"""Rate limits in both profiles: per user (general, and the named categories a route declares),
per IP for calls without a valid token (counted before any verification), 429 problem+json with
Retry-After and RateLimit-* headers, the exempt routes, and failing open when Redis is down."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import httpx
import pytest
from fastapi import APIRouter, Depends, FastAPI
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY
from structlog.testing import capture_logs

from domain.values import Actor, Role
from infrastructure.bootstrap import System, bootstrap, init_storage
from infrastructure.rate_limits import RateLimits
from infrastructure.settings import Settings
from interfaces.http.app import create_app
from interfaces.http.deps import limited
from interfaces.http.problems import PROBLEM
from tests.support import server_settings

LIMITS = {"GYMGENIUS_RATE_LIMIT_GENERAL": "5/minute", "GYMGENIUS_RATE_LIMIT_CHAT": "2/minute",
          "GYMGENIUS_RATE_LIMIT_ANONYMOUS": "60/minute"}
PLANS = "/v1/queries/plans"


def _settings(profile: str, tmp_path: Path, schema: str, **more: str) -> Settings:
    if profile == "server":
        return server_settings(schema, **{**LIMITS, **more})
    return Settings(GYMGENIUS_DATA_DIR=tmp_path / "var", **{**LIMITS, **more})  # type: ignore[arg-type]


@pytest.fixture(params=["embedded", "server"])
def limited_system(request: pytest.FixtureRequest, tmp_path: Path, pg_schema: str) -> Iterator[System]:
    settings = _settings(request.param, tmp_path, pg_schema)
    init_storage(settings)
    system = bootstrap(settings)
    yield system
    system.close()


def _with_chat_route(app: FastAPI) -> FastAPI:
    """A route declaring the chat category, as the chat routes will."""
    router = APIRouter()

    # admitted as any signed-in caller is (it borrows a signed-in operation's access rule)
    @router.post("/v1/commands/test-chat", status_code=204, operation_id="updateMyProfile")
    async def chat(actor: Annotated[Actor, Depends(limited("chat"))]) -> None:
        return None

    app.include_router(router)
    return app


@pytest.fixture
def client(limited_system: System) -> Iterator[TestClient]:
    with TestClient(_with_chat_route(create_app(limited_system))) as test_client:
        yield test_client


def _bearer(system: System, uid: str, role: Role = Role.CLIENT) -> dict[str, str]:
    assert system.dev_tokens is not None
    return {"Authorization": f"Bearer {system.dev_tokens.issue(uid, role)}"}


def test_a_user_over_the_general_limit_gets_429_problem_with_retry_after(client, limited_system):
    alice, bob = _bearer(limited_system, "alice"), _bearer(limited_system, "bob")
    answers = [client.get(PLANS, headers=alice) for _ in range(6)]
    assert [a.status_code for a in answers] == [200] * 5 + [429]
    assert [a.headers["RateLimit-Remaining"] for a in answers[:5]] == ["4", "3", "2", "1", "0"]
    assert all(a.headers["RateLimit-Limit"] == "5" for a in answers)
    refused = answers[-1]
    assert refused.headers["content-type"] == PROBLEM
    assert refused.json()["type"].endswith("/rate-limited") and refused.json()["status"] == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert 0 <= int(refused.headers["RateLimit-Reset"]) <= 60
    assert client.get(PLANS, headers=bob).status_code == 200  # per user


def test_a_route_declaring_a_category_is_limited_by_it_on_top_of_the_general_limit(client, limited_system):
    alice = _bearer(limited_system, "alice")
    answers = [client.post("/v1/commands/test-chat", headers=alice) for _ in range(3)]
    assert [a.status_code for a in answers] == [204, 204, 429]
    assert "over the chat rate limit" in answers[-1].json()["detail"]
    assert answers[0].headers["RateLimit-Limit"] == "2"  # the tighter limit is the one shown
    assert client.get(PLANS, headers=alice).status_code == 200  # the general limit still has room


def test_an_unknown_category_is_refused_when_the_route_is_declared():
    with pytest.raises(ValueError, match="no rate-limit category"):
        limited("chatt")


def test_three_hundred_bad_tokens_at_once_are_mostly_refused_before_verification(limited_system):
    verified = []
    inner = limited_system.tokens.inner

    class Counting:
        def verify(self, token: str, **options: Any) -> Any:
            verified.append(token)
            return inner.verify(token, **options)

    limited_system.tokens.inner = Counting()
    app = create_app(limited_system)

    async def flood() -> tuple[list[int], float]:
        transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 4242))
        async with httpx.AsyncClient(transport=transport, base_url="http://edge") as http:
            started = time.perf_counter()
            answers = await asyncio.gather(*(
                http.get(PLANS, headers={"Authorization": f"Bearer not-a-token-{i}"}) for i in range(300)))
            return [a.status_code for a in answers], time.perf_counter() - started

    before = _unavailable()
    statuses, took = asyncio.run(flood())
    assert _unavailable() == before  # counted, not let through because the storage was slow
    assert statuses.count(401) <= 60 and statuses.count(429) >= 240, statuses
    assert set(statuses) == {401, 429}
    assert len(verified) <= 60
    print(f"300 bad tokens: {statuses.count(401)} answered 401, {statuses.count(429)} answered 429, "
          f"{len(verified)} verified, in {took:.3f} s")


def test_calls_without_any_token_count_against_the_ip(client):
    statuses = [client.get(PLANS).status_code for _ in range(62)]
    assert statuses[:60] == [401] * 60 and statuses[60:] == [429, 429]


def test_a_verified_token_is_not_refused_for_its_ips_bad_calls(client, limited_system):
    """A token already verified skips the IP's gate; a new one waits for the IP's window like any
    unverified call (verifying is the work the gate saves)."""
    alice = _bearer(limited_system, "alice")
    assert client.get(PLANS, headers=alice).status_code == 200
    for _ in range(61):
        client.get(PLANS, headers={"Authorization": "Bearer bad"})
    assert client.get(PLANS, headers=alice).status_code == 200
    assert client.get(PLANS, headers=_bearer(limited_system, "bob")).status_code == 429


def test_the_webhook_and_the_operations_routes_are_never_limited(client):
    for _ in range(70):
        assert client.get("/healthz").status_code == 200
    assert client.get("/metrics").status_code == 200
    assert client.get("/readyz").status_code in (200, 503)
    statuses = {client.post("/v1/webhooks/razorpay", content=b"{}").status_code for _ in range(70)}
    assert 429 not in statuses


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _unavailable() -> float:
    return REGISTRY.get_sample_value("gymgenius_rate_limit_unavailable_total") or 0.0


def test_with_redis_down_calls_go_through_unlimited_with_a_metric_and_one_log_line(
        server_system, pg_schema, tmp_path):
    down = _settings("server", tmp_path, pg_schema, REDIS_URL=f"redis://127.0.0.1:{_closed_port()}/0")
    server_system.rate_limits = RateLimits(down)
    before = _unavailable()
    with TestClient(create_app(server_system)) as api, capture_logs() as logs:
        alice = _bearer(server_system, "alice")
        statuses = [api.get(PLANS, headers=alice).status_code for _ in range(8)]
        anonymous = [api.get(PLANS).status_code for _ in range(3)]
    assert statuses == [200] * 8 and anonymous == [401] * 3  # over the 5/minute, but not refused
    assert _unavailable() - before >= 8 + 3
    lines = [line for line in logs if "rate limits unavailable" in line["event"]]
    assert len(lines) == 1 and lines[0]["log_level"] == "warning"


def test_every_rate_limited_route_documents_its_429(client):
    document = client.get("/openapi.json").json()
    secured = [(path, method, op) for path, ops in document["paths"].items()
               for method, op in ops.items() if op.get("security")]
    assert len(secured) > 20
    for path, method, operation in secured:
        answer = operation["responses"].get("429")
        assert answer is not None, (method, path)
        assert {"Retry-After", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"} <= set(
            answer["headers"]), (method, path)
    for exempt in ("/healthz", "/readyz", "/metrics", "/v1/webhooks/razorpay"):
        assert all("429" not in op["responses"] for op in document["paths"][exempt].values())
