"""W3C `traceparent`: accepted, answered, and followed into events, Dramatiq messages and pushes,
in both profiles (the server profile with a real Dramatiq worker on Redis)."""

from __future__ import annotations

import re
import secrets
from typing import Any
from uuid import UUID

import dramatiq
import pytest
import structlog
from dramatiq.broker import MessageProxy
from structlog.testing import capture_logs

from tests.support import running_worker, wait_until

ROUTE = "/v1/commands/workout-sessions"
ANSWERED = re.compile(r"00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})")


def _traceparent(flags: str = "01") -> tuple[str, str, str]:
    trace_id, parent = secrets.token_hex(16), secrets.token_hex(8)
    return f"00-{trace_id}-{parent}-{flags}", trace_id, parent


class Seen(dramatiq.Middleware):
    """Watches the real broker: the options of each message sent, and the trace id a worker
    thread has bound while it handles one."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.handled: list[Any] = []

    def after_enqueue(self, broker: dramatiq.Broker, message: dramatiq.Message[Any], delay: int) -> None:
        self.sent.append(dict(message.options))

    def before_process_message(self, broker: dramatiq.Broker, message: MessageProxy) -> None:
        self.handled.append(structlog.contextvars.get_contextvars().get("trace_id"))


def test_a_traceparent_gives_the_request_its_trace_id_and_a_span_of_its_own(api, auth, system):
    offered, trace_id, parent = _traceparent()
    answer = api.post(ROUTE, json={}, headers={**auth("alice"), "traceparent": offered,
                                                "X-Trace-Id": "a-client-id-that-loses"})
    assert answer.status_code == 201, answer.text
    assert answer.headers["X-Trace-Id"] == trace_id
    own = ANSWERED.fullmatch(answer.headers["traceparent"])
    assert own is not None and own[1] == trace_id and own[2] not in (parent, "0" * 16) and own[3] == "01"
    (started,) = system.log.events.get(UUID(answer.json()["id"]))
    assert started.meta["trace_id"] == trace_id


def test_an_unsampled_traceparent_keeps_its_trace_id_and_its_flags(api):
    offered, trace_id, _ = _traceparent("00")
    answer = api.get("/healthz", headers={"traceparent": offered})
    assert answer.headers["X-Trace-Id"] == trace_id
    own = ANSWERED.fullmatch(answer.headers["traceparent"])
    assert own is not None and own[1] == trace_id and own[3] == "00"


@pytest.mark.parametrize("offered", [
    "01-" + "a" * 32 + "-" + "b" * 16 + "-01",  # an unknown version
    "00-" + "0" * 32 + "-" + "b" * 16 + "-01",  # an all-zero trace id
    "00-" + "a" * 32 + "-" + "0" * 16 + "-01",  # an all-zero parent id
    "00-" + "A" * 32 + "-" + "b" * 16 + "-01",  # upper case
    "00-" + "a" * 31 + "-" + "b" * 16 + "-01",
    "00-" + "a" * 32 + "-" + "b" * 16,
    "00-" + "a" * 32 + "-" + "b" * 16 + "-01-extra",
    "garbage", "", "00-<script>-x-01", "ünïcode",
])
def test_an_invalid_traceparent_is_ignored_and_the_request_gets_a_fresh_trace(api, auth, offered):
    answer = api.post(ROUTE, json={}, headers={**auth("bob"), "traceparent": offered.encode()})
    assert answer.status_code == 201, answer.text
    fresh = answer.headers["X-Trace-Id"]
    assert re.fullmatch(r"[0-9a-f]{32}", fresh) and fresh != "a" * 32
    own = ANSWERED.fullmatch(answer.headers["traceparent"])
    assert own is not None and own[1] == fresh


def test_without_a_traceparent_the_trace_id_is_the_answered_span_s(api):
    answer = api.get("/healthz")
    own = ANSWERED.fullmatch(answer.headers["traceparent"])
    assert own is not None and own[1] == answer.headers["X-Trace-Id"]


def test_the_trace_follows_the_command_into_its_nudge_the_worker_and_the_push(api, auth, system):
    seen = Seen()
    system.broker.add_middleware(seen)
    worker = running_worker(system) if system.settings.profile == "server" else None
    try:
        system.nudger.taken()  # no nudge of an earlier test pending: this command's is sent
        offered, trace_id, _ = _traceparent()
        with capture_logs(processors=[structlog.contextvars.merge_contextvars]) as logs:
            answer = api.post(ROUTE, json={}, headers={**auth("carol"), "traceparent": offered})
            assert answer.status_code == 201, answer.text
            position = answer.json()["position"]
            wait_until(lambda: trace_id in seen.handled, 20, "the worker handling the traced nudge")
            wait_until(lambda: any(line["event"] == "realtime_push" and line["position"] == position
                                   for line in logs), 20, "the push of the command's row")
    finally:
        if worker is not None:
            worker.stop()
    assert any(sent.get("trace_id") == trace_id and trace_id in sent.get("traceparent", "")
               for sent in seen.sent)
    (push,) = [line for line in logs if line["event"] == "realtime_push" and line["position"] == position
               and line["push_event"] == "workout_session.updated"]
    assert push["push_trace_id"] == trace_id
