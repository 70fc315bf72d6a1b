"""Realtime pushes when Redis refuses them: logged and counted, never raised into the projector."""

from __future__ import annotations

import socket
import time
from datetime import UTC, datetime

from prometheus_client import REGISTRY
from sqlalchemy import select

from application.context import CommandContext
from application.workout_sessions import StartWorkoutSession
from domain.values import Actor, Role
from infrastructure.bootstrap import System
from infrastructure.realtime import RedisPusher
from projections.model import Change
from projections.workout_sessions import sessions


def a_closed_redis_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


def failed_pushes() -> float:
    return REGISTRY.get_sample_value("gymgenius_realtime_pushes_total", {"outcome": "failed"}) or 0.0


def test_a_push_redis_refuses_is_counted_and_never_raised():
    pusher = RedisPusher(a_closed_redis_url())
    before, started = failed_pushes(), time.monotonic()
    pusher.push([Change("workout_session.updated", "s-1", 7, ("user:alice",), {"id": "s-1"})])
    assert failed_pushes() == before + 1
    assert time.monotonic() - started < 5


def test_the_projector_commits_its_rows_while_redis_refuses_every_push(server_system: System):
    server_system.projections.projector.pusher = RedisPusher(a_closed_redis_url())
    context = CommandContext(Actor("alice", Role.CLIENT), datetime.now(UTC), "trace", None, "")
    written = server_system.workout_sessions.start(context, StartWorkoutSession(day="Legs"))
    before = failed_pushes()
    outcomes = server_system.projections.catch_up_all()
    assert outcomes["workout_sessions"].position >= written.position
    with server_system.projections.engine.connect() as conn:
        row = conn.execute(select(sessions).where(sessions.c.id == str(written.id))).mappings().one()
    assert (row["client_id"], row["position"]) == ("alice", written.position)
    assert failed_pushes() == before + 1
