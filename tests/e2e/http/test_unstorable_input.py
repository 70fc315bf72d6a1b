"""What PostgreSQL cannot store never gets into an event: NUL characters, lone surrogates and
integers beyond a bigint are refused at the edge, on every route, wherever they hide, with a 422
that locates them; and the event store refuses them again before a command is accepted."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from application.context import CommandContext
from application.workout_sessions import LogSet, StartWorkoutSession
from domain.errors import InvalidValue
from domain.values import Actor, Role

WORKOUT = {"days": [{"name": "Legs", "exercises": [{"name": "back squat", "sets": 5, "reps": 5}]}]}
NUL, SURROGATE = "\u0000", "\ud800"


def refused(answer, *loc):
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert list(loc) in [e["loc"] for e in answer.json()["errors"]], answer.json()
    return answer.json()


def send(api, url, body, headers):
    """Posts a body as JSON with every non-ASCII character escaped (`\\ud800` is valid JSON)."""
    return api.post(url, content=json.dumps(body), headers={**headers, "content-type": "application/json"})


def routes(api) -> list[tuple[str, str]]:
    spec = api.get("/openapi.json").json()
    return sorted((method.upper(), path) for path, item in spec["paths"].items()
                  for method in item if path.startswith("/v1/"))


def filled(path: str) -> str:
    return "/".join(str(uuid.uuid4()) if part.startswith("{") else part for part in path.split("/"))


@pytest.mark.parametrize("bad", [NUL, SURROGATE], ids=["nul", "lone-surrogate"])
def test_every_route_refuses_unstorable_text_in_its_body_and_query(api, auth, system, bad):
    head = system.projections.source.head()
    headers = auth("alice", "superadmin")
    for method, path in routes(api):
        url = filled(path)
        body = {"outer": [{"deep": f"x{bad}y"}], "title": "ok"}
        if method == "POST":
            refused(send(api, url, body, headers), "body", "outer", 0, "deep")
        refused(api.request(method, url, params={"client_id": f"a{NUL}"}, headers=headers),
                "query", "client_id")
    assert system.projections.source.head() == head  # nothing was written


def test_a_nul_in_a_path_parameter_or_a_query_filter_is_a_422_not_a_500(api, auth):
    headers = auth("alice")
    refused(api.get("/v1/queries/workout-sessions/ab%00cd", headers=headers), "path")
    refused(api.get("/v1/queries/plans", params={"author_id": "tom\x00"}, headers=headers),
            "query", "author_id")


def test_plan_content_with_a_lone_surrogate_or_a_huge_number_is_refused_and_writes_nothing(
        api, auth, system):
    head, headers = system.projections.source.head(), auth("tom", "trainer")
    content = {"days": [{"name": "Legs", "exercises": [{"name": f"squat{SURROGATE}", "sets": 5,
                                                         "reps": 5}]}]}
    plan = {"kind": "workout", "title": "Strength", "content": content}
    refused(send(api, "/v1/commands/plans", plan, headers),
            "body", "content", "days", 0, "exercises", 0, "name")
    huge = {"kind": "workout", "title": "Strength", "content": WORKOUT, "price_paise": 10**30}
    refused(api.post("/v1/commands/plans", json=huge, headers=headers), "body", "price_paise")
    sets = {"exercise": "squat", "reps": 10**30, "weight_kg": 100}
    refused(api.post(f"/v1/commands/workout-sessions/{uuid.uuid4()}/sets", json=sets,
                     headers=auth("alice")), "body", "reps")
    assert system.projections.source.head() == head
    assert api.post("/v1/commands/plans", headers=headers,
                    json={"kind": "workout", "title": "Strength", "content": WORKOUT}).status_code == 201


def test_a_well_formed_body_still_reaches_its_route_byte_for_byte(api, auth):
    text = 'a \\u0000 written out, and "quotes"'  # a backslash and the letters, not a NUL
    started = api.post("/v1/commands/workout-sessions", json={"day": text[:100]}, headers=auth("alice"))
    assert started.status_code == 201, started.text
    shown = api.get(f"/v1/queries/workout-sessions/{started.json()['id']}", headers=auth("alice"),
                    params={"min_position": started.json()["position"]})
    assert shown.json()["day"] == text[:100]


@pytest.mark.parametrize("bad", [NUL, SURROGATE], ids=["nul", "lone-surrogate"])
def test_the_event_store_refuses_unstorable_text_before_the_command_is_accepted(system, bad):
    ctx = CommandContext(Actor("alice", Role.CLIENT), datetime.now(UTC), "trace", None, "")
    started = system.workout_sessions.start(ctx, StartWorkoutSession(day="Legs"))
    head = system.projections.source.head()
    with pytest.raises(InvalidValue) as error:
        system.workout_sessions.log_set(ctx, LogSet(started.id, f"squ{bad}at", 5, Decimal(60), None))
    assert error.value.field == "exercise"
    assert system.projections.source.head() == head
    again = system.workout_sessions.log_set(ctx, LogSet(started.id, "squat", 5, Decimal(60), None))
    assert again.version == started.version + 1
