"""The worker's safety net keeps waking it through every error an outage can raise, and wakes it
at once when PostgreSQL announces new events."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import psycopg
import redis
from dramatiq.brokers.stub import StubBroker
from eventsourcing.persistence import OperationalError as StoreOperationalError
from prometheus_client import REGISTRY
from sqlalchemy import select
from sqlalchemy.exc import OperationalError as SQLOperationalError

from application.context import CommandContext
from application.conversations import OpenConversation, SendMessage
from application.relationships import StartRelationship
from domain.values import Actor, Role
from infrastructure.bootstrap import bootstrap, init_storage, worker_safety_net
from infrastructure.eventstore.postgres import events_channel
from infrastructure.nudges import Nudger
from infrastructure.workers import CatchUp, SafetyNet, listen_url
from projections.conversations import conversations
from projections.messages import messages
from tests.support import ISOLATED_REDIS_URL, server_settings, wait_until

OUTAGE = [
    StoreOperationalError("the event store went away"),
    SQLOperationalError("SELECT 1", {}, Exception("the read models went away")),
    psycopg.OperationalError("the server closed the connection"),
    redis.ConnectionError("Redis went away"),
]


class FlakyProjections:
    """Catch-ups that fail as an outage makes them fail, then succeed."""

    def __init__(self) -> None:
        self.calls = 0

    def catch_up_all(self) -> dict[str, Any]:
        self.calls += 1
        if self.calls <= len(OUTAGE):
            raise OUTAGE[self.calls - 1]
        return {}


def test_the_safety_net_outlives_store_database_and_redis_errors():
    projections = FlakyProjections()
    no_redis = redis.Redis.from_url("redis://127.0.0.1:1/0")  # nothing listens there
    net = SafetyNet(CatchUp(projections, Nudger(StubBroker(), no_redis)), None,  # type: ignore[arg-type]
                    interval=0.01)
    net.start()
    try:
        wait_until(lambda: projections.calls >= len(OUTAGE) + 3, 15, "catch-ups after the outage")
        assert net.is_alive()
    finally:
        net.stop()
        net.join(timeout=5)


def test_postgres_announcing_a_chat_message_wakes_the_worker_without_a_nudge_or_a_sweep(isolated_system):
    """Nothing consumes the nudges here and the sweep is a minute away: the event store's NOTIFY
    alone wakes the hot lane (the message) and the catch-up (the conversation's row)."""
    system = isolated_system
    admin, client, trainer = (Actor("adm", Role.ADMIN), Actor("cl-n", Role.CLIENT),
                              Actor("tr-n", Role.TRAINER))
    system.relationships.start(_ctx(admin), StartRelationship("cl-n", "tr-n", Role.TRAINER))
    net = SafetyNet(system.catch_up, listen_url(system.projections), interval=60,
                    channel=events_channel(system.settings.database_schema))
    net.start()
    try:
        wait_until(lambda: all(s.lag_events == 0 for s in system.projections.statuses()), 30,
                   "the net's first catch-up")
        opened = system.conversations.open(_ctx(client), OpenConversation("tr-n"))
        sent = system.conversations.send(_ctx(trainer), SendMessage(opened.id, "3 sets of 8", "m-1"))
        with system.projections.engine.connect() as conn:
            def projected() -> bool:
                message = conn.execute(select(messages.c.text).where(
                    messages.c.id == sent.extra["message_id"])).scalar()
                conversation = conn.execute(select(conversations.c.id).where(
                    conversations.c.id == str(opened.id))).scalar()
                conn.rollback()
                return message == "3 sets of 8" and conversation is not None

            wait_until(projected, 10, "the message and its conversation, woken by NOTIFY")
    finally:
        net.stop()
    assert not net.is_alive() and net.hot_lane is not None and not net.hot_lane.is_alive()


def _ctx(actor: Actor) -> CommandContext:
    return CommandContext(actor, datetime.now(UTC), uuid.uuid4().hex)


def test_with_no_hot_lane_process_up_the_workers_deliver_chat_messages_after_the_grace(pg_schema):
    """Workers set to leave the chat messages to hot-lane processes, and none running: the
    message is projected anyway, by a worker, once its read model has been still for the grace."""
    settings = server_settings(pg_schema, REDIS_URL=ISOLATED_REDIS_URL, GYMGENIUS_HOT_LANE="process",
                               GYMGENIUS_HOT_LANE_GRACE_S="0.5")
    init_storage(settings)
    system = bootstrap(settings)
    try:
        assert system.catch_up.leave_hot
        admin, client, trainer = (Actor("adm", Role.ADMIN), Actor("cl-s", Role.CLIENT),
                                  Actor("tr-s", Role.TRAINER))
        system.relationships.start(_ctx(admin), StartRelationship("cl-s", "tr-s", Role.TRAINER))
        opened = system.conversations.open(_ctx(client), OpenConversation("tr-s"))
        sent = system.conversations.send(_ctx(trainer), SendMessage(opened.id, "rest 90 s", "m-s"))
        first = system.projections.observe_hot()["chat_messages"]  # behind, and still since it was seen
        assert system.projections.observe_hot()["chat_messages"] > first
        net = worker_safety_net(system, interval=0.2)
        assert net.hot_lane is None  # the worker runs no hot lane of its own
        stand_ins = REGISTRY.get_sample_value("gymgenius_hot_lane_stand_ins_total") or 0.0
        net.start()
        try:
            with system.projections.engine.connect() as conn:
                def projected() -> bool:
                    text = conn.execute(select(messages.c.text).where(
                        messages.c.id == sent.extra["message_id"])).scalar()
                    conn.rollback()
                    return text == "rest 90 s"

                wait_until(projected, 20, "the message, projected by a worker standing in for the hot lane")
            assert system.projections.observe_hot() == {}  # at the head, and the worker says so
            assert REGISTRY.get_sample_value("gymgenius_projection_lag_events",
                                             {"projection": "chat_messages"}) == 0
            assert (REGISTRY.get_sample_value("gymgenius_hot_lane_stand_ins_total") or 0.0) > stand_ins
        finally:
            net.stop()
    finally:
        system.close()
