"""Read-your-writes waits on PostgreSQL: a flood of `min_position` waiters for a position no read
model will reach holds no pooled connection, shares one wake-up, never starves an unrelated query,
and every waiter gets a 503 with Retry-After after 5 s (not 30)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import httpx
import pytest

from domain.values import Role
from infrastructure.bootstrap import System, bootstrap, init_storage
from interfaces.http.app import create_query_app
from tests.support import server_settings

WAITERS = 300
QUERIES = "/v1/queries/workout-sessions"


@pytest.fixture
def small_pool_system(pg_schema: str) -> Iterator[System]:
    """A server system whose one pool holds 6 connections and no more (queries, the watch and
    the sign-in lookups of 300 waiters draw from it)."""
    settings = server_settings(pg_schema, GYMGENIUS_DB_POOL_SIZE=3, GYMGENIUS_DB_MAX_OVERFLOW=3,
                               GYMGENIUS_RATE_LIMITS=False)  # waits are measured, not limits
    init_storage(settings)
    system = bootstrap(settings)
    yield system
    system.close()


async def until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.01)


async def test_hundreds_of_waiters_hold_no_connection_and_starve_no_other_query(small_pool_system):
    system = small_pool_system
    assert system.dev_tokens is not None
    headers = {"Authorization": f"Bearer {system.dev_tokens.issue('alice', Role.CLIENT)}"}
    unreachable = system.projections.source.head() + 1_000_000
    transport = httpx.ASGITransport(app=create_query_app(system))
    pool = system.reads.engine.pool
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://gymgenius") as client:
            began = time.monotonic()
            waiters = [asyncio.create_task(client.get(QUERIES, params={"min_position": unreachable},
                                                      headers=headers)) for _ in range(WAITERS)]
            await until(lambda: system.reads.watch.waiting() == WAITERS, 10, "every waiter to wait")
            assert pool.checkedout() <= 1  # at most the one watch's poll, whoever waits
            asked = time.monotonic()
            unrelated = await client.get(QUERIES, headers=headers)
            assert unrelated.status_code == 200, unrelated.text
            assert time.monotonic() - asked < 1.0
            answers = await asyncio.gather(*waiters)
            elapsed = time.monotonic() - began
    finally:
        await system.reads.close()
    assert {a.status_code for a in answers} == {503}
    assert all(a.headers["Retry-After"] and a.headers["content-type"] == "application/problem+json"
               for a in answers)
    assert 4.5 < elapsed < 15.0, elapsed  # each gave up at its bound (5 s), not at some later time


async def test_a_waiter_is_answered_as_soon_as_its_position_is_reflected(small_pool_system):
    system = small_pool_system
    assert system.dev_tokens is not None
    headers = {"Authorization": f"Bearer {system.dev_tokens.issue('alice', Role.CLIENT)}"}
    transport = httpx.ASGITransport(app=create_query_app(system))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://gymgenius") as client:
            started = await asyncio.to_thread(_start_session, system)
            waiting = asyncio.create_task(client.get(QUERIES, params={"min_position": started},
                                                     headers=headers))
            await until(lambda: system.reads.watch.waiting() == 1, 5, "the waiter to wait")
            await asyncio.to_thread(system.projections.catch_up_all)
            answer = await asyncio.wait_for(waiting, 2)
    finally:
        await system.reads.close()
    assert answer.status_code == 200, answer.text
    assert int(answer.headers["X-Projection-Position"]) >= started
    assert len(answer.json()["items"]) == 1


def _start_session(system: System) -> int:
    from datetime import UTC, datetime

    from application.context import CommandContext
    from application.workout_sessions import StartWorkoutSession
    from domain.values import Actor

    ctx = CommandContext(Actor("alice", Role.CLIENT), datetime.now(UTC), "trace", None, "")
    return system.workout_sessions.start(ctx, StartWorkoutSession(day="Legs")).position
