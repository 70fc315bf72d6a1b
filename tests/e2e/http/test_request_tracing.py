"""Every request's trace id and timing, in both profiles."""

from __future__ import annotations

import re
from uuid import UUID

import pytest
from prometheus_client import REGISTRY

ROUTE = "/v1/commands/workout-sessions"
TEMPLATE = "/v1/commands/workout-sessions/{session_id}/sets"


def _timed(method: str, route: str, status: str) -> float:
    labels = {"method": method, "route": route, "status": status}
    return REGISTRY.get_sample_value("gymgenius_http_request_seconds_count", labels) or 0.0


def test_a_given_trace_id_comes_back_and_is_stamped_on_the_events_written(api, auth, system):
    answer = api.post(ROUTE, json={}, headers={**auth("alice"), "X-Trace-Id": "trace-from-app"})
    assert answer.status_code == 201 and answer.headers["X-Trace-Id"] == "trace-from-app"
    (started,) = system.log.events.get(UUID(answer.json()["id"]))
    assert started.meta["trace_id"] == "trace-from-app"


def test_a_request_without_a_trace_id_gets_a_fresh_one(api):
    first, second = api.get("/healthz"), api.get("/healthz")
    assert re.fullmatch(r"[0-9a-f]{32}", first.headers["X-Trace-Id"])
    assert first.headers["X-Trace-Id"] != second.headers["X-Trace-Id"]


@pytest.mark.parametrize("offered", ["t" * 65, "short", "with space", "tab\tbed-1234", "<script>x</script>",
                                     "tr@ce-1234", "ünïcode-1234"])
def test_a_trace_id_of_an_unsafe_shape_is_replaced_by_a_fresh_one(api, offered):
    answer = api.get("/healthz", headers={"X-Trace-Id": offered.encode()})
    assert re.fullmatch(r"[0-9a-f]{32}", answer.headers["X-Trace-Id"])


def test_a_trace_id_of_a_safe_shape_is_kept(api):
    for offered in ("t" * 64, "abc.DEF_12-3", "12345678"):
        assert api.get("/healthz", headers={"X-Trace-Id": offered}).headers["X-Trace-Id"] == offered


def test_requests_are_timed_by_route_template_and_status(api, auth):
    headers = auth("alice")
    session = api.post(ROUTE, json={}, headers=headers).json()["id"]
    before = (_timed("POST", TEMPLATE, "200"), _timed("POST", TEMPLATE, "422"))
    api.post(f"{ROUTE}/{session}/sets", json={"exercise": "squat", "reps": 5, "weight_kg": 100},
             headers=headers)
    api.post(f"{ROUTE}/{session}/sets", json={"reps": 5}, headers=headers)
    after = (_timed("POST", TEMPLATE, "200"), _timed("POST", TEMPLATE, "422"))
    assert (after[0] - before[0], after[1] - before[1]) == (1.0, 1.0)
    assert api.get("/no/such/route").headers["X-Trace-Id"]
    assert _timed("GET", "unmatched", "404") >= 1.0
